"""The one error type of gruvision_torch: a ``code`` and a message naming the file, the problem and the fix."""

from __future__ import annotations


class GruvisionTorchError(Exception):
    """Bad input or an unsupported model. ``code`` is one of:

    ``NOT_FOUND``, ``TRUNCATED``, ``MALFORMED``, ``TOO_LARGE``, ``UNSUPPORTED``, ``WEIGHTS_MISMATCH``,
    ``NON_FINITE``, ``INVALID_ARGUMENT``, ``OUTPUT_EXISTS``.
    """

    def __init__(self, code: str, message: str, file: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.file = file

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.args[0]
