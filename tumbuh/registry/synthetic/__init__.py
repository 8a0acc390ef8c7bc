"""Deterministic synthetic partner files for the registry: demo data and a benchmark with ground truth.

``generate(businesses=..., seed=..., out_dir=...)`` invents businesses (UMKM, BumDes,
cooperatives) in real villages and writes what several partner organisations would send about
them: the same business in several files, spelled differently, with format variants, typos and
a few bad rows, plus ``truth.csv`` and ``businesses.csv`` so that an import and the entity
resolution can be measured. It needs no database and no Django settings.

Modules: ``people`` (names, NIK, phones), ``places`` (the shipped region files),
``businesses`` (kinds of business, KBLI, names, addresses), ``noise`` (variants and bad rows,
with their rates), ``partners`` (file layouts, ``PartnerSpec``), ``generator`` (``generate``),
``hard`` (``generate_hard``: one hard list with a label per phenomenon, for issue 14).
"""

from tumbuh.registry.synthetic.generator import GeneratedSet, PartnerFile, generate
from tumbuh.registry.synthetic.noise import BAD_REASONS, DEFAULT_RATES, NoiseRates
from tumbuh.registry.synthetic.partners import DEFAULT_PARTNERS, LAYOUTS, Layout, PartnerSpec

__all__ = [
    "BAD_REASONS",
    "DEFAULT_PARTNERS",
    "DEFAULT_RATES",
    "LAYOUTS",
    "GeneratedSet",
    "Layout",
    "NoiseRates",
    "PartnerFile",
    "PartnerSpec",
    "generate",
]
