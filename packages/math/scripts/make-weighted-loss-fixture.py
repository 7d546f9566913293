"""Writes src/__fixtures__/weighted-loss-torch.json: the dense head + softmax cross-entropy with per-sample
loss weights, its loss and its gradients w.r.t. the head's input, kernel and bias, from float64 PyTorch
autograd. Two reductions are stored for each case:

- `loss`: Keras's weighted loss, sum_i w_i * loss_i / B (what gruvision minimizes), from
  F.cross_entropy(reduction='none', label_smoothing=eps) times the weights;
- `torchWeightedMean` (cases without label smoothing): PyTorch's CrossEntropyLoss(weight=class_weights)
  with its default 'mean' reduction, sum_i w_{y_i} * loss_i / sum_i w_{y_i}, whose weights are the class
  weights alone.

Run with Debian's python3-torch, then format:
  /usr/bin/python3 packages/math/scripts/make-weighted-loss-fixture.py && pnpm format
"""
import json
import pathlib

import torch
import torch.nn.functional as F

torch.manual_seed(7)


def case(name, B, H, C, eps, class_weights, sample_weights):
    h = (torch.rand(B, H, dtype=torch.float64) * 2 - 1).requires_grad_()
    kernel = (torch.rand(H, C, dtype=torch.float64) * 2 - 1).requires_grad_()
    bias = (torch.rand(C, dtype=torch.float64) * 0.2 - 0.1).requires_grad_()
    labels = torch.arange(B) % C
    cw = torch.tensor(class_weights, dtype=torch.float64)
    sw = torch.tensor(sample_weights, dtype=torch.float64)
    w = cw[labels] * sw
    logits = h @ kernel + bias
    loss = (w * F.cross_entropy(logits, labels, reduction="none", label_smoothing=eps)).sum() / B
    loss.backward()
    out = {
        "name": name,
        "B": B,
        "H": H,
        "C": C,
        "labelSmoothing": eps,
        "labels": labels.tolist(),
        "classWeights": class_weights,
        "sampleWeights": sample_weights,
        "h": h.detach().flatten().tolist(),
        "kernel": kernel.detach().flatten().tolist(),
        "bias": bias.detach().tolist(),
        "loss": loss.item(),
        "dh": h.grad.flatten().tolist(),
        "dKernel": kernel.grad.flatten().tolist(),
        "dBias": bias.grad.tolist(),
    }
    if eps == 0 and all(s == 1 for s in sample_weights):
        out["torchWeightedMean"] = torch.nn.CrossEntropyLoss(weight=cw)(logits.detach(), labels).item()
    return out


cases = [
    case("balanced-like class weights", 6, 4, 3, 0.0, [0.5, 2.0, 1.25], [1.0] * 6),
    case("class x sample weights, one sample left out", 5, 3, 4, 0.0, [1.0, 3.0, 0.25, 1.0], [1.0, 0.0, 2.0, 0.5, 1.5]),
    case("with label smoothing 0.1", 4, 5, 3, 0.1, [2.0, 1.0, 0.5], [1.0, 0.75, 1.0, 3.0]),
]
path = pathlib.Path(__file__).resolve().parent.parent / "src" / "__fixtures__" / "weighted-loss-torch.json"
path.write_text(json.dumps({"torch": torch.__version__, "cases": cases}) + "\n")
print(f"wrote {path}")
