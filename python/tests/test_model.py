import json
import os
import shutil
import sys
import unittest

import torch

import helpers
from gruvision_torch.errors import GruvisionTorchError
from gruvision_torch.model import (
    build_module,
    keras_to_state_dict,
    load_state,
    read_gruvision_weights,
    read_metadata,
)
from gruvision_torch.safetensors_io import load_file
from gruvision_torch.view import to_sequences


class GruvisionModelsInPyTorch(unittest.TestCase):
    """gruvision models (saved by gruvision, weights in its Keras layout) in the PyTorch module."""

    @classmethod
    def setUpClass(cls) -> None:
        cls.ref = helpers.reference()
        images = cls.ref["images"]
        cls.pixels = torch.tensor(images["pixels"], dtype=torch.uint8).reshape(images["count"], 28, 28, 1)

    def test_every_cell_and_layout_gives_gruvisions_probabilities_within_1e_5(self) -> None:
        self.assertEqual(len(self.ref["models"]), 5)
        for case in self.ref["models"]:
            with self.subTest(model=case["name"]):
                meta, weights = read_gruvision_weights(case["dir"])
                module = build_module(meta)
                load_state(module, keras_to_state_dict(meta["spec"], weights), case["dir"])
                module.eval()
                x = to_sequences(self.pixels, meta["view"], meta["input"])
                got = module.probabilities(x)
                want = torch.tensor(case["probabilities"], dtype=torch.float32)
                self.assertGreater(float(want.max()), 0.5, "the reference is far from uniform")
                delta = float((got - want).abs().max())
                self.assertLess(delta, 1e-5, f"{case['name']}: max |Δp| {delta:.2e}")

    def test_gruvision_export_safetensors_loads_strictly_and_gives_gruvisions_probabilities_within_1e_5(self) -> None:
        folder = helpers.scratch("export")
        for case in self.ref["models"]:
            with self.subTest(model=case["name"]):
                path = os.path.join(folder, f"{case['name']}.safetensors")
                helpers.gruvision("export", case["dir"], "--format", "safetensors", "--out", path)
                tensors, metadata = load_file(path)
                self.assertEqual(metadata["format"], "pt")
                meta = json.loads(metadata["gruvision"])
                source = read_metadata(case["dir"])
                for key in ("spec", "view", "classNames", "input", "preprocess"):
                    self.assertEqual(meta[key], source[key], key)
                self.assertTrue(all(t.dtype == torch.float32 for t in tensors.values()))
                module = build_module(meta)
                module.load_state_dict(tensors, strict=True)
                module.eval()
                got = module.probabilities(to_sequences(self.pixels, meta["view"], meta["input"]))
                want = torch.tensor(case["probabilities"], dtype=torch.float32)
                delta = float((got - want).abs().max())
                self.assertLess(delta, 1e-5, f"{case['name']}: max |Δp| {delta:.2e}")
                print(f"\n  {case['name']}: gruvision export → PyTorch max |Δp| {delta:.1e}", file=sys.stderr, end="")

    def test_the_state_dict_keys_are_the_contract(self) -> None:
        case = next(c for c in self.ref["models"] if c["name"] == "gru-2x-bidirectional-columns")
        module = build_module(read_metadata(case["dir"]))
        expected = {f"rnn.{kind}_l{k}{suffix}" for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh") for k in (0, 1) for suffix in ("", "_reverse")}
        self.assertEqual(set(module.state_dict()), expected | {"head.weight", "head.bias"})
        self.assertEqual(tuple(module.state_dict()["rnn.weight_ih_l1"].shape), (24, 16))

    def test_a_reset_before_gru_is_refused_with_the_fix(self) -> None:
        case = next(c for c in self.ref["models"] if c["name"] == "gru-rows")
        meta = json.loads(json.dumps(read_metadata(case["dir"])))
        meta["spec"]["layers"][0]["resetAfter"] = False
        with self.assertRaises(GruvisionTorchError) as caught:
            build_module(meta, "m/model.json")
        self.assertEqual(caught.exception.code, "UNSUPPORTED")
        self.assertIn("--reset-after", str(caught.exception))
        self.assertIn("m/model.json", str(caught.exception))

    def test_wrong_names_shapes_and_nan_weights_are_typed_errors(self) -> None:
        case = next(c for c in self.ref["models"] if c["name"] == "gru-rows")
        meta, weights = read_gruvision_weights(case["dir"])
        module = build_module(meta)
        good = keras_to_state_dict(meta["spec"], weights)
        renamed = dict(good)
        renamed["gru.weight_ih_l0"] = renamed.pop("rnn.weight_ih_l0")
        misshapen = dict(good, **{"head.bias": torch.zeros(11)})
        poisoned = dict(good, **{"head.bias": torch.full((10,), float("nan"))})
        for state, code, words in (
            (renamed, "WEIGHTS_MISMATCH", "missing rnn.weight_ih_l0; unexpected gru.weight_ih_l0"),
            (misshapen, "WEIGHTS_MISMATCH", "head.bias has shape [11]"),
            (poisoned, "NON_FINITE", "head.bias holds NaN"),
        ):
            with self.assertRaises(GruvisionTorchError) as caught:
                load_state(module, state, "w.safetensors")
            self.assertEqual(caught.exception.code, code)
            self.assertIn(words, str(caught.exception))
            self.assertIn("w.safetensors", str(caught.exception))

    def test_a_model_json_without_gruvision_metadata_is_refused(self) -> None:
        folder = helpers.scratch("not-ours")
        path = os.path.join(folder, "model.json")
        with open(path, "w", encoding="utf-8") as file:
            json.dump({"format": "layers-model", "modelTopology": {}}, file)
        with self.assertRaises(GruvisionTorchError) as caught:
            read_metadata(path)
        self.assertEqual(caught.exception.code, "MALFORMED")
        self.assertIn("userDefinedMetadata.gruvision", str(caught.exception))
        shutil.rmtree(folder)


if __name__ == "__main__":
    unittest.main()
