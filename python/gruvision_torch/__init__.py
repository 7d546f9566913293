"""gruvision_torch: train gruvision models with PyTorch DistributedDataParallel.

Builds the PyTorch module of a gruvision model (``model.json`` or a safetensors file written by
``gruvision export``), reads datasets written by ``gruvision export-data``, trains on one or many
processes and machines, and writes safetensors that ``gruvision import`` brings back.
"""

from .errors import GruvisionTorchError

__version__ = "0.1.0"
__all__ = ["GruvisionTorchError", "__version__"]
