"""Writes src/__fixtures__/min-torch.json: minGRU / minLSTM outputs and gradients from the paper's own
log-space formulation (Feng et al. 2024, "Were RNNs All We Needed?", appendix listings: log_g,
parallel_scan_log, the log-space minGRU and minLSTM forward), run in float64 PyTorch with autograd.

Run with Debian's python3-torch, then format:  /usr/bin/python3 packages/math/scripts/make-min-fixtures.py && pnpm format
"""
import json
import pathlib

import torch
import torch.nn.functional as F


def log_g(x):
    return torch.where(x >= 0, (F.relu(x) + 0.5).log(), -F.softplus(-x))


def parallel_scan_log(log_coeffs, log_values):
    # log_coeffs: (batch, T, units); log_values: (batch, T + 1, units)
    a_star = F.pad(torch.cumsum(log_coeffs, dim=1), (0, 0, 1, 0))
    log_h0_plus_b_star = torch.logcumsumexp(log_values - a_star, dim=1)
    log_h = a_star + log_h0_plus_b_star
    return torch.exp(log_h)[:, 1:]


def min_gru(pre, h0):
    k, hh = pre.chunk(2, dim=-1)  # gruvision block order z|h
    log_z = -F.softplus(-k)
    log_coeffs = -F.softplus(k)
    log_tilde_h = log_g(hh)
    return parallel_scan_log(log_coeffs, torch.cat([h0.log().unsqueeze(1), log_z + log_tilde_h], dim=1))


def min_lstm(pre, h0):
    k_i, k_f, hh = pre.chunk(3, dim=-1)  # gruvision block order i|f|h
    diff = F.softplus(-k_f) - F.softplus(-k_i)
    log_f = -F.softplus(diff)
    log_i = -F.softplus(-diff)
    log_tilde_h = log_g(hh)
    return parallel_scan_log(log_f, torch.cat([h0.log().unsqueeze(1), log_i + log_tilde_h], dim=1))


def case(cell, B, T, I, u, seed):
    torch.manual_seed(seed)
    G = (2 if cell == "mingru" else 3) * u
    x = torch.randn(B, T, I, dtype=torch.float64, requires_grad=True)
    kernel = (0.7 * torch.randn(I, G, dtype=torch.float64)).requires_grad_()
    bias = (0.3 * torch.randn(G, dtype=torch.float64)).requires_grad_()
    # The log-space form needs a positive initial state.
    h0 = (0.2 + torch.rand(B, u, dtype=torch.float64)).requires_grad_()
    weights = torch.randn(B, T, u, dtype=torch.float64)
    pre = x @ kernel + bias
    h = (min_gru if cell == "mingru" else min_lstm)(pre, h0)
    (h * weights).sum().backward()
    flat = lambda t: t.detach().reshape(-1).tolist()
    return {
        "cell": cell, "B": B, "T": T, "I": I, "u": u,
        "x": flat(x), "kernel": flat(kernel), "bias": flat(bias), "h0": flat(h0),
        "dLdh": flat(weights), "h": flat(h),
        "dx": flat(x.grad), "dKernel": flat(kernel.grad), "dBias": flat(bias.grad), "dh0": flat(h0.grad),
    }


cases = [case("mingru", 2, 9, 3, 4, 1), case("minlstm", 2, 9, 3, 4, 2), case("mingru", 1, 100, 2, 3, 3)]
out = pathlib.Path(__file__).resolve().parent.parent / "src" / "__fixtures__" / "min-torch.json"
out.write_text(json.dumps({"torch": torch.__version__, "cases": cases}) + "\n")
print(f"wrote {out}")
