import json
import os
import struct
import unittest

import torch

import helpers  # noqa: F401  (puts gruvision_torch on sys.path)
from gruvision_torch.errors import GruvisionTorchError
from gruvision_torch.safetensors_io import decode, encode, load_file, save_file


def read_bytes(path: str) -> bytes:
    with open(path, "rb") as file:
        return file.read()


def header_of(data: bytes) -> dict:
    (size,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8 : 8 + size])


class SafetensorsRoundTrip(unittest.TestCase):
    def setUp(self) -> None:
        generator = torch.Generator().manual_seed(0)
        self.tensors = {
            "rnn.weight_ih_l0": torch.randn(48, 28, generator=generator),
            "rnn.bias_hh_l0_reverse": torch.randn(48, generator=generator),
            "head.weight": torch.randn(10, 16, generator=generator).to(torch.float64),
            "counts": torch.arange(-3, 9, dtype=torch.int64).reshape(3, 4),
            "bytes": torch.arange(0, 250, 10, dtype=torch.uint8),
            "half": torch.tensor([1.5, -2.25, 65504.0], dtype=torch.float16),
            "brain": torch.tensor([[1.0, -3.5], [0.0078125, 256.0]], dtype=torch.bfloat16),
            "mask": torch.tensor([True, False, True]),
            "scalar": torch.tensor(3.25),
            "empty": torch.zeros(0, 5),
        }
        self.metadata = {"format": "pt", "gruvision": json.dumps({"classNames": ["a", "é"]})}

    def test_every_tensor_and_the_metadata_come_back_bit_for_bit(self) -> None:
        path = os.path.join(helpers.scratch("st"), "model.safetensors")
        save_file(self.tensors, path, self.metadata, pure=True)
        tensors, metadata = load_file(path, pure=True)
        self.assertEqual(metadata, self.metadata)
        self.assertEqual(sorted(tensors), sorted(self.tensors))
        for name, tensor in self.tensors.items():
            self.assertEqual(tensors[name].dtype, tensor.dtype, name)
            self.assertEqual(tuple(tensors[name].shape), tuple(tensor.shape), name)
            self.assertTrue(torch.equal(tensors[name], tensor), name)

    def test_the_layout_is_the_safetensors_format(self) -> None:
        data = encode({"b": torch.tensor([1.0, 2.0]), "a": torch.tensor([[3]], dtype=torch.int32)}, {"format": "pt"})
        (size,) = struct.unpack("<Q", data[:8])
        self.assertEqual((8 + size) % 8, 0, "the data starts 8-byte aligned")
        header = header_of(data)
        self.assertEqual(header["__metadata__"], {"format": "pt"})
        self.assertEqual(header["a"], {"dtype": "I32", "shape": [1, 1], "data_offsets": [0, 4]})
        self.assertEqual(header["b"], {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]})
        body = data[8 + size :]
        self.assertEqual(struct.unpack("<i", body[0:4]), (3,))
        self.assertEqual(struct.unpack("<2f", body[4:12]), (1.0, 2.0))
        self.assertEqual(len(body), 12)

    def test_a_failed_write_keeps_the_previous_file(self) -> None:
        folder = helpers.scratch("st-keep")
        path = os.path.join(folder, "model.safetensors")
        save_file({"x": torch.ones(2)}, path, pure=True)
        before = read_bytes(path)
        with self.assertRaises(GruvisionTorchError) as caught:
            save_file({"x": torch.ones(2, dtype=torch.complex64)}, path, pure=True)
        self.assertEqual(caught.exception.code, "UNSUPPORTED")
        self.assertEqual(read_bytes(path), before)
        self.assertEqual(os.listdir(folder), ["model.safetensors"])


class SafetensorsBadInput(unittest.TestCase):
    def setUp(self) -> None:
        self.good = encode({"w": torch.arange(6, dtype=torch.float32).reshape(2, 3)}, {"format": "pt"})
        (self.size,) = struct.unpack("<Q", self.good[:8])

    def with_header(self, header: dict, body: bytes) -> bytes:
        text = json.dumps(header).encode()
        return struct.pack("<Q", len(text)) + text + body

    def code_of(self, data: bytes, path: str = "bad.safetensors") -> str:
        with self.assertRaises(GruvisionTorchError) as caught:
            decode(data, path)
        self.assertIn(path, str(caught.exception))
        return caught.exception.code

    def test_truncated_files(self) -> None:
        self.assertEqual(self.code_of(self.good[:5]), "TRUNCATED")
        self.assertEqual(self.code_of(self.good[: 8 + self.size - 3]), "TRUNCATED")
        self.assertEqual(self.code_of(self.good[:-4]), "TRUNCATED")

    def test_oversized_header(self) -> None:
        self.assertEqual(self.code_of(struct.pack("<Q", 2**40) + b"{}"), "TOO_LARGE")

    def test_not_json_and_wrong_shapes(self) -> None:
        self.assertEqual(self.code_of(struct.pack("<Q", 4) + b"{{{{"), "MALFORMED")
        body = bytes(24)
        self.assertEqual(
            self.code_of(self.with_header({"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 24]}}, body)),
            "MALFORMED",
        )
        self.assertEqual(
            self.code_of(self.with_header({"w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}}, body + b"xx")),
            "MALFORMED",
        )
        overlapping = {
            "a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},
            "b": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]},
        }
        self.assertEqual(self.code_of(self.with_header(overlapping, bytes(16))), "MALFORMED")

    def test_unknown_dtype(self) -> None:
        self.assertEqual(
            self.code_of(self.with_header({"w": {"dtype": "F8_E4M3", "shape": [2], "data_offsets": [0, 2]}}, bytes(2))),
            "UNSUPPORTED",
        )

    def test_missing_file(self) -> None:
        with self.assertRaises(GruvisionTorchError) as caught:
            load_file("/nonexistent/model.safetensors")
        self.assertEqual(caught.exception.code, "NOT_FOUND")
        self.assertIn("/nonexistent/model.safetensors", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
