/**
 * The paper's positive candidate activation g (Feng et al. 2024, §3, "log-space"):
 * g(x) = x + 0.5 for x ≥ 0, σ(x) for x < 0. Continuous, increasing, always > 0, linear for large x.
 */
export function candidate(x: number): number {
  return x >= 0 ? x + 0.5 : 1 / (1 + Math.exp(-x));
}

/**
 * g′ from the value y = g(x): 1 where x ≥ 0 (then y ≥ 0.5), else σ′ = y(1 − y) (then y < 0.5).
 * At x = 0 this is the right derivative 1, as PyTorch's `torch.where(x >= 0, …)` gives.
 */
export function candidateGrad(y: number): number {
  return y >= 0.5 ? 1 : y * (1 - y);
}

/** σ(x). */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
