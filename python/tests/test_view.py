import unittest

import torch

import helpers
from gruvision_torch.errors import GruvisionTorchError
from gruvision_torch.view import compute_normalization, seeded_permutation, to_sequences, view_shape


class SequenceViews(unittest.TestCase):
    """The Python views against the sequences gruvision's own imageToSequence makes (tests/reference.ts)."""

    @classmethod
    def setUpClass(cls) -> None:
        cls.ref = helpers.reference()

    def test_seeded_permutation_is_gruvisions(self) -> None:
        p = self.ref["permutation"]
        self.assertEqual(seeded_permutation(p["length"], p["seed"]), p["order"])

    def test_every_view_gives_gruvisions_sequence_exactly(self) -> None:
        self.assertGreaterEqual(len(self.ref["views"]), 8)
        for case in self.ref["views"]:
            shape = case["shape"]
            with self.subTest(view=case["view"]):
                # reference.ts draws the image from SeededRandom(7), 8×12×3 bytes; rebuild it the same way.
                from gruvision_torch.view import SeededRandom

                rng = SeededRandom(7)
                pixels = torch.tensor([rng.int(256) for _ in range(8 * 12 * 3)], dtype=torch.uint8).reshape(1, 8, 12, 3)
                steps, features = view_shape(case["view"], shape)
                got = to_sequences(pixels, case["view"], shape)
                self.assertEqual(tuple(got.shape), (1, steps, features))
                want = torch.tensor(case["sequence"], dtype=torch.float32).reshape(1, steps, features)
                self.assertTrue(torch.equal(got, want), f"max |Δ| {float((got - want).abs().max())}")

    def test_a_view_that_does_not_fit_the_image_is_a_typed_error(self) -> None:
        with self.assertRaises(GruvisionTorchError) as caught:
            view_shape({"mode": "patches", "patchSize": 5}, {"height": 28, "width": 28, "channels": 1}, "m/model.json")
        self.assertEqual(caught.exception.code, "MALFORMED")
        self.assertIn("m/model.json", str(caught.exception))
        with self.assertRaises(GruvisionTorchError):
            view_shape({"mode": "spiral"}, {"height": 28, "width": 28, "channels": 1})

    def test_normalization_is_the_population_mean_and_std(self) -> None:
        pixels = torch.tensor([0, 255, 255, 51], dtype=torch.uint8)
        values = pixels.to(torch.float64) / 255
        stats = compute_normalization(pixels)
        self.assertAlmostEqual(stats["mean"], float(values.mean()), places=12)
        self.assertAlmostEqual(stats["std"], float(values.std(unbiased=False)), places=12)
        self.assertEqual(compute_normalization(torch.full((5,), 7, dtype=torch.uint8))["std"], 1.0)


if __name__ == "__main__":
    unittest.main()
