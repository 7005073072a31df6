"""The Monte Carlo path kernel: one seeded block of paths, valued day by day (pure numpy).

Conventions, stated once for the module:

* a path is a sequence of **daily log returns** of prices in US dollars per unit; ``x`` holds the
  cumulative log price changes since the start, currency-major ``(currencies, days, paths)``;
* values are **relative to the start** (1.0 on day 0 in every numeraire); a basket's value in
  numeraire ``k`` is its USD value divided by USD per unit of ``k``;
* **reproducibility**: the paths are split into fixed blocks of :data:`BLOCK_PATHS`. Block ``b``
  draws from its own stream, ``SeedSequence(entropy, spawn_key=(*key, b))``, and
  :func:`run_block` depends only on the :class:`Plan` and ``b``, so results are bit-identical
  whatever the number of workers, the chunk size or the executor;
* the random numbers of a segment of ``s`` days are drawn currency-major: ``(currencies, s,
  paths)`` standard normals (normal method) or ``(s, paths)`` uniforms (bootstrap);
* under the normal method with rule ``none``, a block's paths beyond the fan paths are never
  needed day by day: each currency's sum of ``horizon`` daily standard normals is drawn
  directly, as one standard normal times ``sqrt(horizon)`` (exactly its distribution), after
  the fan paths' daily numbers. This replaced (in issue 12) drawing every path day by day, so
  those runs give other numbers than before with the same seed, as valid; every other method
  and rule draws as before.

:func:`basket.montecarlo.model.monte_carlo` builds the plan, runs the blocks with
:func:`basket.montecarlo.executor.run_blocks` and summarises what :class:`Collector` gathered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from basket.montecarlo.resampling import _bootstrap_segment

__all__ = [
    "BLOCK_PATHS",
    "SEGMENT_DAYS",
    "BlockOut",
    "Collector",
    "PathValuer",
    "Plan",
    "relative_values",
    "run_block",
    "run_chunk",
]

BLOCK_PATHS = 1000
"""Paths per block. Part of the reproducibility contract: block ``b`` always holds paths
``b * BLOCK_PATHS`` to ``(b + 1) * BLOCK_PATHS - 1`` and draws from the ``b``-th child seed."""

SEGMENT_DAYS = 64
"""A block is drawn ``SEGMENT_DAYS`` days at a time, which bounds its memory for any horizon.
Like :data:`BLOCK_PATHS` it is fixed and part of the reproducibility contract: a segment's
numbers are drawn as one ``(currencies, days, paths)`` array of standard normals (normal
method) or one ``(days, paths)`` array of uniforms (bootstrap)."""


# ----------------------------------------------------------------------------- the plan
@dataclass(frozen=True, eq=False)
class Plan:
    """Everything a worker needs to simulate any block (small, picklable)."""

    n_paths: int
    horizon: int
    entropy: Any
    spawn_key: tuple[int, ...]
    pool_size: int
    method: str
    m: int                    # simulated currencies: basket ones (0..n-1), then numeraires
    n: int
    rand: np.ndarray          # columns with random returns
    det: np.ndarray           # columns with a constant return (USD: zero)
    mu_rand: np.ndarray
    mu_det: np.ndarray
    chol: np.ndarray          # normal: daily covariance factor of the random columns
    hist: np.ndarray          # bootstrap: (N, len(rand)) history of the random columns
    p_new: float
    numer: np.ndarray         # columns of the numeraires
    kind: str                 # arithmetic | geometric
    a0: np.ndarray            # start value shares (geometric: index weights)
    rule: str                 # none | calendar | band | review
    target: np.ndarray
    band: float
    event: np.ndarray         # (T+1,) rows the rule must look at
    resets: np.ndarray        # (T+1,) calendar reset rows
    review_day: np.ndarray
    review_lo: np.ndarray
    fan_pos: np.ndarray       # (T+1,) position of a row in the fan grid, or -1
    n_fan_rows: int
    fan_paths: int
    keep_paths: int


@dataclass(frozen=True, eq=False)
class BlockOut:
    block: int
    x_t: np.ndarray                 # (m, nb) log price changes at the horizon
    a_t: np.ndarray | None          # (n, nb) value shares in start terms at the horizon
    fan: np.ndarray | None          # (K, rows, fan_n) relative values on the fan grid
    keep: np.ndarray | None         # (m, rows, keep_n) log price changes on the fan grid


def _lincomb(w: np.ndarray, z: np.ndarray) -> np.ndarray:
    """``sum_j w[j] * z[j]`` over the first axis, term by term in a fixed order.

    Plain numpy instead of BLAS: faster for a handful of currencies, and the same bits on every
    machine and thread count.
    """
    out: np.ndarray = z[0] * w[0]
    for j in range(1, len(w)):
        out += z[j] * w[j]
    return out


def _apply_factor(factor: np.ndarray, z: np.ndarray) -> np.ndarray:
    """``factor @ z`` over the first axis of ``z``, skipping zero entries (no BLAS)."""
    out = np.zeros_like(z)
    tmp = np.empty_like(z[0]) if len(z) else z
    for i in range(factor.shape[0]):
        for j in np.flatnonzero(factor[i]):
            np.multiply(z[j], factor[i, j], out=tmp)
            out[i] += tmp
    return out


def relative_values(plan: Plan, a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Basket value relative to the start in each numeraire, for log price changes ``x``.

    Currency-major: ``x`` (m, ...) and value shares ``a`` (n,) or (n, ...) give (K, ...),
    ``sum_c a_c exp(x_c - x_k)``. The own-currency term is ``a_k`` exactly, so a basket of one
    currency is worth exactly 1 in it.
    """
    n = plan.n
    out = np.empty((len(plan.numer), *x.shape[1:]))
    if plan.kind == "geometric":
        g = _lincomb(plan.a0, x[:n])
        for j, k in enumerate(plan.numer):
            np.exp(g - x[k], out=out[j])
        return out
    e = np.exp(x[:n])
    s = _lincomb(a, e)
    for j, k in enumerate(plan.numer):
        o = out[j]
        if k < n:
            ek, ak = e[k], a[k]
            np.subtract(s, ak * ek, out=o)
            o /= ek
            o += ak
        else:
            np.exp(-x[k], out=o)
            o *= s
    return out


class PathValuer:
    """Follows a block's paths day by day: rebalancing state, fan values, kept paths."""

    def __init__(self, plan: Plan, dn: int, fan_n: int, keep_n: int) -> None:
        self.plan, self.fan_n, self.keep_n = plan, fan_n, keep_n
        n, rows = plan.n, plan.n_fan_rows
        start = plan.target if plan.rule in ("calendar", "band") else plan.a0
        self.a = np.repeat(start[:, None], dn, axis=1)          # (n, dn)
        self.wsum = [np.full((n, dn), 1.0 if lo == 0 else 0.0) for lo in plan.review_lo]
        self.fan = np.empty((len(plan.numer), rows, fan_n))
        self.fan[:, 0] = 1.0
        self.keep = np.zeros((plan.m, rows, keep_n))

    def segment(self, t0: int, x: np.ndarray) -> None:
        """Process days ``t0 + 1 ..`` given log price changes ``x`` (m, S, dn)."""
        plan, fan_n, keep_n = self.plan, self.fan_n, self.keep_n
        rows = np.arange(t0 + 1, t0 + 1 + x.shape[1])
        pos = plan.fan_pos[rows]
        if plan.rule == "none":
            sel = np.flatnonzero(pos >= 0)
            if len(sel) and fan_n:
                self.fan[:, pos[sel]] = relative_values(plan, plan.a0, x[:, sel, :fan_n])
            if len(sel) and keep_n:
                self.keep[:, pos[sel]] = x[:, sel, :keep_n]
            return
        sel = np.flatnonzero(plan.event[rows] | ((pos >= 0) & (fan_n > 0)))
        if not len(sel):
            return
        e = np.exp(x[: plan.n, sel])
        a, target = self.a, plan.target[:, None]
        for i, local in enumerate(sel):
            t, p = int(rows[local]), e[:, i]
            if plan.rule == "calendar" and plan.resets[t]:
                a[:] = target * _lincomb(a, p) / p
            elif plan.rule == "band":
                held = a * p
                v = held.sum(axis=0)
                breach = (np.abs(held / v - target) > plan.band).any(axis=0)
                if breach.any():
                    a[:, breach] = target * v[breach] / p[:, breach]
            elif plan.rule == "review":
                for j in np.flatnonzero((plan.review_lo <= t) & (t <= plan.review_day)):
                    self.wsum[j] += p
                    if t == plan.review_day[j]:
                        pbar = self.wsum[j] / (plan.review_day[j] - plan.review_lo[j] + 1)
                        raw = target / pbar
                        a[:] = raw * (_lincomb(a, p) / _lincomb(raw, p))
            if pos[local] >= 0:
                if fan_n:
                    self.fan[:, pos[local]] = relative_values(plan, a[:, :fan_n], x[:, local, :fan_n])
                if keep_n:
                    self.keep[:, pos[local]] = x[:, local, :keep_n]


def run_block(plan: Plan, b: int) -> BlockOut:
    """Simulate block ``b``: its paths depend only on the plan and ``b``.

    Each segment of ``s`` days draws its random numbers currency-major, ``(currencies, s,
    paths)`` standard normals (normal method) or ``(s, paths)`` uniforms (bootstrap). With the
    normal method and rule ``none``, only the fan paths are drawn day by day; the block's other
    paths need only their sum at the horizon, drawn last as one ``(currencies, paths)`` array of
    standard normals times ``sqrt(horizon)`` (:func:`_horizon_sums`).
    """
    lo = b * BLOCK_PATHS
    nb = min(BLOCK_PATHS, plan.n_paths - lo)
    fan_n = min(nb, max(0, plan.fan_paths - lo))
    keep_n = min(nb, max(0, plan.keep_paths - lo))
    seq = np.random.SeedSequence(
        plan.entropy, spawn_key=(*plan.spawn_key, b), pool_size=plan.pool_size
    )
    rng = np.random.Generator(np.random.PCG64(seq))
    dn = nb if plan.rule != "none" else fan_n          # paths followed day by day
    valuer = PathValuer(plan, dn, fan_n, keep_n) if dn else None
    # the normal method under rule none draws only the followed paths day by day
    daily = dn if plan.method == "normal" and plan.rule == "none" else nb
    total = _daily(plan, rng, valuer, dn, daily, nb)
    if daily < nb:
        total[:, daily:] = _horizon_sums(rng, len(plan.rand), nb - daily, plan.horizon)
    x_t = np.empty((plan.m, nb))
    if plan.method == "normal":
        x_t[plan.rand] = _apply_factor(plan.chol, total) + plan.horizon * plan.mu_rand[:, None]
    else:
        x_t[plan.rand] = total
    x_t[plan.det] = plan.horizon * plan.mu_det[:, None]
    return BlockOut(
        block=b,
        x_t=x_t,
        a_t=valuer.a if (valuer is not None and plan.rule != "none") else None,
        fan=valuer.fan if (valuer is not None and fan_n) else None,
        keep=valuer.keep if (valuer is not None and keep_n) else None,
    )


def _horizon_sums(rng: np.random.Generator, mr: int, n: int, horizon: int) -> np.ndarray:
    """The sums of ``horizon`` independent standard normals for ``n`` paths, drawn directly:
    ``sqrt(horizon) * z`` has exactly their distribution (one draw instead of ``horizon``)."""
    z = rng.standard_normal((mr, n))
    z *= np.sqrt(horizon)
    return z


def _daily(plan: Plan, rng: np.random.Generator, valuer: PathValuer | None, dn: int,
           daily: int, nb: int) -> np.ndarray:
    """Draw the first ``daily`` paths of a block day by day, segment by segment, valuing the
    first ``dn`` along the way; return the sums of the draws, (random currencies, ``nb``)."""
    horizon, mr, m = plan.horizon, len(plan.rand), plan.m
    total = np.zeros((mr, nb))
    carry = np.zeros((mr, dn))
    prev: np.ndarray | None = None
    seg = min(SEGMENT_DAYS, horizon)
    if plan.method == "normal":
        zbuf = np.empty((mr, seg, daily))
    else:
        ubuf, gbuf = np.empty((seg, nb)), np.empty((mr, seg, nb))
        hist_t = np.ascontiguousarray(plan.hist.T)
    for t0 in range(0, horizon, SEGMENT_DAYS):
        s = min(SEGMENT_DAYS, horizon - t0)
        if plan.method == "normal":
            if not daily:
                break
            z = zbuf if s == seg else np.empty((mr, s, daily))
            rng.standard_normal(out=z)
            total[:, :daily] += z.sum(axis=1)
            if dn:
                r = _apply_factor(plan.chol, z if dn == daily else z[:, :, :dn])
                r += plan.mu_rand[:, None, None]
        else:
            u = ubuf[:s]
            rng.random(out=u)
            idx = _bootstrap_segment(u, hist_t.shape[1], plan.p_new, prev)
            prev = idx[-1]
            g = gbuf if s == seg else np.empty((mr, s, nb))
            np.take(hist_t, idx, axis=1, out=g, mode="clip")
            total += g.sum(axis=1)
            r = g[:, :, :dn]
        if valuer is not None:
            for i in range(s):  # cumulative sum over days, in place
                r[:, i] += carry if i == 0 else r[:, i - 1]
            carry = r[:, -1].copy()
            x = np.empty((m, s, dn))
            x[plan.rand] = r
            days = np.arange(t0 + 1, t0 + 1 + s, dtype=np.float64)
            x[plan.det] = plan.mu_det[:, None, None] * days[None, :, None]
            valuer.segment(t0, x)
    return total


def run_chunk(plan: Plan, lo: int, hi: int) -> list[BlockOut]:
    """Simulate blocks ``lo`` to ``hi - 1`` (the unit of work of a worker)."""
    return [run_block(plan, b) for b in range(lo, hi)]


# ----------------------------------------------------------------------------- collection
class Collector:
    """Places finished blocks into the full arrays, in block order whatever the finish order."""

    def __init__(self, plan: Plan, progress: Callable[[int, int], None] | None) -> None:
        self.plan, self.progress, self.done = plan, progress, 0
        n_all, k = plan.n_paths, len(plan.numer)
        self.x_t = np.empty((plan.m, n_all))
        self.a_t = np.empty((plan.n, n_all)) if plan.rule != "none" else None
        self.fan = np.empty((k, plan.n_fan_rows, min(plan.fan_paths, n_all)))
        self.keep = np.empty((plan.m, plan.n_fan_rows, min(plan.keep_paths, n_all)))

    def add(self, outs: list[BlockOut]) -> None:
        for out in outs:
            lo = out.block * BLOCK_PATHS
            hi = lo + out.x_t.shape[1]
            self.x_t[:, lo:hi] = out.x_t
            if self.a_t is not None and out.a_t is not None:
                self.a_t[:, lo:hi] = out.a_t
            if out.fan is not None:
                self.fan[:, :, lo: lo + out.fan.shape[2]] = out.fan
            if out.keep is not None:
                self.keep[:, :, lo: lo + out.keep.shape[2]] = out.keep
            self.done += hi - lo
        if self.progress is not None:
            self.progress(self.done, self.plan.n_paths)


