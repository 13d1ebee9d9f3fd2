"""Expected verdicts: a committed file that verify --expect compares the verdicts with, and
the default suite's own departures (departures.tsv), which verify reads without --expect.

The file is tab-separated, one line per scenario, configuration, variant ("-" for
none) and property, with its verdict: VERIFIED, VACUOUS, VIOLATED, INCOMPLETE
or n/a. Lines are sorted, so a changed verdict is a one-line diff.
"""

from __future__ import annotations

from pathlib import Path

from tcpverify.checker.status import Status
from tcpverify.checker.verdict import worst

from ..tcp.variants import VARIANTS
from ..world.config import DEFAULT_CONFIGS, SCENARIOS, Config

HEADER = ("scenario", "configuration", "variant", "property", "verdict")
NOT_APPLICABLE = "n/a"
VERDICTS = (Status.VERIFIED, Status.VACUOUS, Status.VIOLATED, Status.INCOMPLETE, NOT_APPLICABLE)


# The default suite's verdicts other than VERIFIED and n/a, each with the reason it is expected:
# configuration "*" is every default configuration where the property is checked.
DEPARTURES = Path(__file__).with_name("departures.tsv")
DEPARTURE_HEADER = ("scenario", "configuration", "property", "verdict", "reason")
EXCUSABLE = (Status.VACUOUS, Status.VIOLATED)  # never INCOMPLETE: a search that stopped proves nothing
ANY = "*"


class ExpectError(ValueError):
    """A malformed expectation file or selector: the CLI reports it as bad input."""


def verdicts(outcomes) -> dict[tuple[str, ...], str]:
    """{(scenario, configuration, variant, property): verdict} of the runs made."""
    out = {}
    for o in outcomes:
        for v in o.result.verdicts:
            out[(*o.key, v.property)] = v.status
        for prop in o.skipped:
            out[(*o.key, prop)] = NOT_APPLICABLE
    return out


def text(outcomes) -> str:
    """The expectation file of the runs made."""
    lines = ["\t".join(HEADER)] + ["\t".join((*k, v)) for k, v in sorted(verdicts(outcomes).items())]
    return "\n".join(lines) + "\n"


def read(path: Path) -> dict[tuple[str, ...], str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise ExpectError(f"cannot read expectation file {path}: {e.strerror}") from None
    except UnicodeDecodeError as e:
        raise ExpectError(f"expectation file {path} is not UTF-8 text (byte {e.start})") from None
    if not lines or tuple(lines[0].split("\t")) != HEADER:
        raise ExpectError(f"{path}:1: the header must be: {' <tab> '.join(HEADER)}")
    out = {}
    for n, line in enumerate(lines[1:], 2):
        cols = line.split("\t")
        if len(cols) != len(HEADER) or cols[4] not in VERDICTS:
            raise ExpectError(f"{path}:{n}: expected {len(HEADER)} tab-separated columns ending in "
                              f"one of {', '.join(VERDICTS)}")
        out[tuple(cols[:4])] = cols[4]
    return out


def _config(name: str) -> Config:
    try:
        return Config.parse(name)
    except ValueError as e:
        raise ExpectError(f"configuration '{name}': {e}") from None


def runs_named(keys) -> list:
    """The runs (scenario, config, variant) that expected rows name beyond the default suite:
    a variant, or a configuration that is not a default one (forge 1, say), in sorted order.

    Rows that name no scenario or variant the spec has are left out: compare() lists them as
    expected but not checked."""
    defaults = {c.name for c in DEFAULT_CONFIGS}
    out = []
    for s, c, v in sorted({k[:3] for k in keys if k[2] != "-" or k[1] not in defaults}):
        if s in SCENARIOS and (v == "-" or v in VARIANTS):
            out.append((SCENARIOS[s], _config(c), VARIANTS[v] if v != "-" else None))
    return out


def selected_runs(selector: str) -> list:
    """VARIANT (under every default configuration) or VARIANT:CONFIGURATION (any configuration,
    named as tcpverify names it: 'loss 0, forge 1'); VARIANT '-' is the RFC model, as in the
    expectation file."""
    name, _, config = selector.partition(":")
    if name != "-" and name not in VARIANTS:
        raise ExpectError(f"unknown variant '{name}' (see: tcpverify list)")
    configs = [_config(config)] if config else DEFAULT_CONFIGS
    return [(s, c, VARIANTS.get(name)) for s in SCENARIOS.values() for c in configs]


def compare(expected: dict, got: dict) -> list[str]:
    """One line per difference, sorted."""
    lines = []
    for key in sorted(set(expected) | set(got)):
        name = " | ".join(key)
        if key not in got:
            lines.append(f"{name}: expected {expected[key]}, not checked")
        elif key not in expected:
            lines.append(f"{name}: got {got[key]}, not in the expectation file")
        elif expected[key] != got[key]:
            lines.append(f"{name}: expected {expected[key]}, got {got[key]}")
    return lines


def read_departures(path: Path | None = None) -> dict[tuple[str, str, str], tuple[str, str]]:
    """{(scenario, configuration or "*", property): (verdict, reason)}."""
    path = path or DEPARTURES
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or tuple(lines[0].split("\t")) != DEPARTURE_HEADER:
        raise ExpectError(f"{path}:1: the header must be: {' <tab> '.join(DEPARTURE_HEADER)}")
    out = {}
    for n, line in enumerate(lines[1:], 2):
        cols = line.split("\t")
        if len(cols) != len(DEPARTURE_HEADER) or cols[3] not in EXCUSABLE or not cols[4]:
            raise ExpectError(f"{path}:{n}: expected {len(DEPARTURE_HEADER)} tab-separated columns, "
                              f"a verdict among {', '.join(EXCUSABLE)} and a reason")
        out[tuple(cols[:3])] = (cols[3], cols[4])
    return out


def departures(outcomes, path: Path | None = None) -> tuple[dict[tuple, str], list[str]]:
    """The default suite's departures that ``path`` expects, {(scenario, configuration, variant,
    property): reason}, and a line per row the runs contradict: none of the decided verdicts it
    covers is the one it names (the departure is gone). A row's scenario or configuration may
    be "*"; the most specific row covers a verdict."""
    path = path or DEPARTURES
    rows = read_departures(path)
    defaults = {c.name for c in DEFAULT_CONFIGS}
    expected: dict[tuple, str] = {}
    covered: dict[tuple, set] = {key: set() for key in rows}
    for o in outcomes:
        if o.variant is not None or o.config.name not in defaults:
            continue
        for v in o.result.verdicts:
            s, c, p = o.scenario.name, o.config.name, v.property
            key = next((k for k in ((s, c, p), (s, ANY, p), (ANY, c, p)) if k in rows), None)
            if key is None or v.status == Status.INCOMPLETE:
                continue
            covered[key].add(v.status)
            verdict, reason = rows[key]
            if v.status == verdict:
                expected[(*o.key, p)] = reason
    contradicted = [f"{' | '.join(key)}: {path.name} expects {rows[key][0]} ({rows[key][1]}), "
                    f"got {', '.join(sorted(got))}"
                    for key, got in sorted(covered.items()) if got and rows[key][0] not in got]
    return expected, contradicted


def status_after_departures(outcomes) -> Status:
    """The worst verdict of the runs but those departures.tsv expects (VIOLATED when a row is
    contradicted): what `verify` exits with and the reports call the overall status."""
    excused, contradicted = departures(outcomes)
    left = [v.status for v in unexcused_verdicts(outcomes, excused)]
    return Status.VIOLATED if contradicted else worst(left + [Status.VERIFIED])


def unexcused_verdicts(outcomes, excused: dict) -> list:
    """The verdicts of the runs but those ``excused`` ({(run key..., property): reason}) names."""
    return [v for o in outcomes for v in o.result.verdicts if (*o.key, v.property) not in excused]
