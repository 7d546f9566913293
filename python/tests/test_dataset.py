import json
import os
import shutil
import subprocess
import sys
import unittest

import torch

import helpers
from gruvision_torch.dataset import load_dataset
from gruvision_torch.errors import GruvisionTorchError


class ExportedDatasets(unittest.TestCase):
    """The folder `gruvision export-data` writes, read back in Python."""

    @classmethod
    def setUpClass(cls) -> None:
        cls.dir = os.path.join(helpers.scratch("dataset"), "mnist")
        helpers.gruvision("export-data", "--dataset", "mnist", "--limit", "200", "--test-limit", "50", "--out", cls.dir)

    def copy(self) -> str:
        target = os.path.join(helpers.scratch("dataset-copy"), "data")
        shutil.copytree(self.dir, target)
        return target

    def test_reads_the_splits_the_json_describes(self) -> None:
        data = load_dataset(self.dir)
        self.assertEqual((data.height, data.width, data.channels), (28, 28, 1))
        self.assertEqual(data.class_names, [str(d) for d in range(10)])
        self.assertEqual(tuple(data.train.pixels.shape), (200, 28, 28, 1))
        self.assertEqual(data.test.count, 50)
        self.assertEqual(data.train.pixels.dtype, torch.uint8)
        # A stratified subset of MNIST: every digit, about 20 each.
        counts = torch.bincount(data.train.labels, minlength=10)
        self.assertTrue(bool((counts >= 15).all()), counts.tolist())
        # Raw bytes: no view, no normalization (MNIST has true zeros and saturated 255s).
        self.assertEqual(int(data.train.pixels.min()), 0)
        self.assertEqual(int(data.train.pixels.max()), 255)

    def test_a_truncated_image_file_is_a_typed_error_naming_it(self) -> None:
        folder = self.copy()
        path = os.path.join(folder, "train-images-idx3-ubyte")
        with open(path, "rb") as file:
            data = file.read()
        with open(path, "wb") as file:
            file.write(data[:-100])
        with self.assertRaises(GruvisionTorchError) as caught:
            load_dataset(folder)
        self.assertEqual(caught.exception.code, "TRUNCATED")
        self.assertIn(path, str(caught.exception))
        self.assertIn("gruvision export-data", str(caught.exception))

    def test_counts_and_labels_are_checked_against_dataset_json(self) -> None:
        folder = self.copy()
        info_path = os.path.join(folder, "dataset.json")
        with open(info_path, encoding="utf-8") as file:
            info = json.load(file)
        info["splits"]["test"]["count"] = 51
        with open(info_path, "w", encoding="utf-8") as file:
            json.dump(info, file)
        with self.assertRaises(GruvisionTorchError) as caught:
            load_dataset(folder)
        self.assertIn("splits.test.count is 51", str(caught.exception))
        info["splits"]["test"]["count"] = 50
        info["classNames"] = ["a", "b"]
        with open(info_path, "w", encoding="utf-8") as file:
            json.dump(info, file)
        with self.assertRaises(GruvisionTorchError) as caught:
            load_dataset(folder)
        self.assertIn("outside [0, 2)", str(caught.exception))

    def test_the_trainer_reports_bad_input_in_one_line_and_writes_nothing(self) -> None:
        out = os.path.join(helpers.scratch("no-out"), "model.safetensors")
        missing = os.path.join(helpers.scratch("empty"), "nothing-here")
        for command in (
            [sys.executable, "-m", "gruvision_torch.train", "--data", missing, "--out", out],
            [sys.executable, "-m", "gruvision_torch.launch", "--nproc", "2", "--master-port", "29377", "--", "--data", missing, "--out", out],
        ):
            result = subprocess.run(command, env=helpers.python_env(1), capture_output=True, text=True, timeout=300)
            self.assertEqual(result.returncode, 1, result.stderr)
            self.assertIn(f"error: {missing}/dataset.json: cannot be read", result.stderr)
            self.assertIn("gruvision export-data", result.stderr)
            self.assertNotIn("Traceback", result.stderr)
            self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    unittest.main()
