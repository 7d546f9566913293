import json
import os
import sys
import unittest

import torch

import helpers
from gruvision_torch.model import load_safetensors_model
from gruvision_torch.safetensors_io import load_file

# One recipe, trained by gruvision and by PyTorch DDP on the same MNIST subset.
LIMIT = 5000
TEST_LIMIT = 2000
RECIPE = ["--epochs", "5", "--batch-size", "32", "--lr", "0.01", "--seed", "0"]


class DistributedTraining(unittest.TestCase):
    """A 2-process gloo DDP run on MNIST images from `gruvision export-data`, back through `gruvision import`."""

    @classmethod
    def setUpClass(cls) -> None:
        cls.dir = helpers.scratch("ddp")
        cls.data = os.path.join(cls.dir, "mnist")
        helpers.gruvision("export-data", "--dataset", "mnist", "--limit", str(LIMIT), "--test-limit", str(TEST_LIMIT), "--out", cls.data)
        cls.gruvision_model = os.path.join(cls.dir, "gruvision-model")
        trained = helpers.gruvision(
            "train", "--dataset", "mnist", "--limit", str(LIMIT), "--test-limit", str(TEST_LIMIT),
            "--units", "48", "--reset-after", "--validation", "0", "--threads", "1", *RECIPE,
            "--out", cls.gruvision_model, "--json",
        )  # fmt: skip
        cls.gruvision_result = json.loads(trained.stdout.strip().splitlines()[-1])
        cls.out = os.path.join(cls.dir, "torch.safetensors")
        cls.ranks = os.path.join(cls.dir, "ranks")
        launched = helpers.run(
            [
                sys.executable, "-m", "gruvision_torch.launch", "--nproc", "2", "--master-port", str(29400 + os.getpid() % 500), "--",
                "--model", os.path.join(cls.gruvision_model, "model.json"), "--data", cls.data, "--out", cls.out,
                "--threads", "1", "--rank-weights", cls.ranks, "--json", *RECIPE,
            ],
            env=helpers.python_env(1),
        )  # fmt: skip
        cls.torch_result = json.loads(launched.stdout.strip().splitlines()[-1])
        cls.imported = os.path.join(cls.dir, "imported")
        helpers.gruvision("import", cls.out, "--out", cls.imported)
        evaluated = helpers.gruvision("eval", cls.imported, "--dataset", "mnist", "--test-limit", str(TEST_LIMIT), "--json")
        cls.eval_result = json.loads(evaluated.stdout)

    def test_two_gloo_processes_ran_and_end_with_identical_weights(self) -> None:
        self.assertEqual(self.torch_result["processes"], 2)
        self.assertEqual(self.torch_result["backend"], "gloo")
        rank0, _ = load_file(os.path.join(self.ranks, "rank0.safetensors"))
        rank1, _ = load_file(os.path.join(self.ranks, "rank1.safetensors"))
        written, _ = load_file(self.out)
        self.assertEqual(sorted(rank0), sorted(rank1))
        for name in rank0:
            self.assertTrue(torch.equal(rank0[name], rank1[name]), f"{name} differs between ranks")
            self.assertTrue(torch.equal(rank0[name], written[name]), f"{name} differs from the written file")

    def test_the_written_file_follows_the_contract(self) -> None:
        tensors, metadata = load_file(self.out)
        self.assertEqual(metadata["format"], "pt")
        meta = json.loads(metadata["gruvision"])
        with open(os.path.join(self.gruvision_model, "model.json"), encoding="utf-8") as file:
            source = json.load(file)["userDefinedMetadata"]["gruvision"]
        self.assertEqual(meta["spec"], source["spec"])
        self.assertEqual(meta["view"], source["view"])
        self.assertEqual(meta["classNames"], source["classNames"])
        self.assertEqual(meta["training"]["engine"], "pytorch-ddp-gloo-x2")
        self.assertEqual(
            set(tensors),
            {"rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0", "head.weight", "head.bias"},
        )
        _, module = load_safetensors_model(self.out)  # load_state_dict(strict=True) inside
        self.assertEqual(module.units, 48)

    def test_gruvision_import_scores_what_pytorch_scored(self) -> None:
        self.assertEqual(self.eval_result["count"], TEST_LIMIT)
        self.assertEqual(self.torch_result["testCount"], TEST_LIMIT)
        # Same weights, same images: only float rounding may flip a near-tie.
        self.assertAlmostEqual(self.eval_result["accuracy"], self.torch_result["testAccuracy"], delta=0.002)

    def test_one_process_started_from_gruvisions_weights_scores_what_gruvision_scored(self) -> None:
        # --init reads gruvision's model directory (Keras layout); a vanishing learning rate keeps the weights.
        exported = os.path.join(self.dir, "exported.safetensors")
        helpers.gruvision("export", self.gruvision_model, "--format", "safetensors", "--out", exported)
        result = helpers.run(
            [
                sys.executable, "-m", "gruvision_torch.train", "--model", exported, "--init", self.gruvision_model,
                "--data", self.data, "--out", os.path.join(self.dir, "same.safetensors"), "--epochs", "1",
                "--lr", "1e-30", "--schedule", "constant", "--json",
            ],
            env=helpers.python_env(1),
        )  # fmt: skip
        document = json.loads(result.stdout.strip().splitlines()[-1])
        self.assertEqual(document["processes"], 1)
        self.assertAlmostEqual(document["testAccuracy"], self.gruvision_result["testAccuracy"], delta=0.002)

    def test_within_2_points_of_the_same_recipe_trained_by_gruvision(self) -> None:
        gruvision = self.gruvision_result["testAccuracy"]
        pytorch = self.eval_result["accuracy"]
        print(f"\n  MNIST {LIMIT}/{TEST_LIMIT}: gruvision {100 * gruvision:.2f}%, PyTorch DDP ×2 {100 * pytorch:.2f}%", file=sys.stderr)
        self.assertGreater(gruvision, 0.9)
        self.assertLessEqual(abs(gruvision - pytorch), 0.02)


if __name__ == "__main__":
    unittest.main()
