#!/usr/bin/python3
"""Writes the PyTorch fixtures that @gruvision/interop's import tests read.

Run with Debian's python3-torch (1.13; its torch.onnx.export works offline):

    /usr/bin/python3 packages/interop/scripts/make-torch-fixtures.py

For each small classifier below (nn.GRU / nn.LSTM / nn.RNN, batch_first, 1-2 layers, bidirectional or
not, an nn.Linear head, with or without a final softmax) it writes, into
packages/interop/src/__fixtures__/torch/:
  NAME.onnx          torch.onnx.export, opset 14, dynamic batch
  NAME.safetensors   the module's state_dict (safetensors layout, written by the small writer below so
                     the `safetensors` package is not needed)
and one cases.json with, per model, the input size, the 0-255 pixel inputs and PyTorch's class
probabilities for them (softmax of the logits when the module ends without softmax). The module reads
pixels / 255 row by row, which is gruvision's default view for an imported sequence model.
"""
import json
import os
import struct

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "src", "__fixtures__", "torch")
HEIGHT, WIDTH = 6, 5  # images of 6 rows of 5 pixels: 6 time steps of 5 features
CLASSES = 3
SAMPLES = 4

CELLS = {"gru": nn.GRU, "lstm": nn.LSTM, "rnn": nn.RNN}


class Classifier(nn.Module):
    """rnn -> final hidden state(s) -> linear head [-> softmax]."""

    def __init__(self, cell, hidden, layers, bidirectional, softmax, rnn_name, head_name, read_output):
        super().__init__()
        self.cell, self.bidirectional, self.softmax = cell, bidirectional, softmax
        self.rnn_name, self.head_name, self.read_output = rnn_name, head_name, read_output
        setattr(self, rnn_name, CELLS[cell](WIDTH, hidden, num_layers=layers, batch_first=True,
                                            bidirectional=bidirectional))
        setattr(self, head_name, nn.Linear(hidden * (2 if bidirectional else 1), CLASSES))

    def forward(self, x):
        out, h = getattr(self, self.rnn_name)(x)
        if self.cell == "lstm":
            h = h[0]
        if self.read_output:  # out[:, -1, :] (unidirectional only: the same as the last hidden state)
            features = out[:, -1, :]
        elif self.bidirectional:
            features = torch.cat([h[-2], h[-1]], dim=1)  # forward, then backward, as Keras
        else:
            features = h[-1]
        logits = getattr(self, self.head_name)(features)
        return torch.softmax(logits, dim=1) if self.softmax else logits


MODELS = [
    # name, cell, hidden, layers, bidirectional, softmax, rnn attribute, head attribute, read out[:, -1]
    ("gru-1", "gru", 8, 1, False, True, "rnn", "head", True),
    ("gru-2-bi", "gru", 6, 2, True, False, "gru", "fc", False),
    ("lstm-1-bi", "lstm", 7, 1, True, True, "lstm", "classifier", False),
    ("lstm-2", "lstm", 5, 2, False, False, "rnn", "linear", True),
    ("rnn-1", "rnn", 6, 1, False, False, "rnn", "fc", False),
    ("rnn-2-bi", "rnn", 4, 2, True, True, "rnn", "head", False),
]


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    offset = 0
    blobs = []
    for name, t in tensors.items():
        data = t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(13)
    generator = torch.Generator().manual_seed(31)
    cases = []
    for name, cell, hidden, layers, bi, softmax, rnn_name, head_name, read_output in MODELS:
        model = Classifier(cell, hidden, layers, bi, softmax, rnn_name, head_name, read_output).eval()
        with torch.no_grad():  # larger weights than the default init, so the gates leave their linear range
            for p in model.parameters():
                p.mul_(2.5)
        pixels = torch.randint(0, 256, (SAMPLES, HEIGHT, WIDTH), generator=generator)
        x = pixels.to(torch.float32) / 255
        with torch.no_grad():
            y = model(x)
            probabilities = y if softmax else torch.softmax(y, dim=1)
        torch.onnx.export(model, x, os.path.join(OUT, f"{name}.onnx"), opset_version=14,
                          input_names=["x"], output_names=["y"],
                          dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
        write_safetensors(os.path.join(OUT, f"{name}.safetensors"), model.state_dict(), {"format": "pt"})
        cases.append({
            "name": name,
            "cell": cell,
            "hidden": hidden,
            "layers": layers,
            "bidirectional": bi,
            "softmax": softmax,
            "input": {"height": HEIGHT, "width": WIDTH},
            "pixels": pixels.reshape(SAMPLES, -1).tolist(),
            "probabilities": [[float(v) for v in row] for row in probabilities.tolist()],
        })
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump({"torch": torch.__version__, "opset": 14, "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
