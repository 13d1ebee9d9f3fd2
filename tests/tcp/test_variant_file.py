"""tcpverify check --variant-file: a user's variant in a few lines, and one clear line when it is broken."""

import pytest

from tcpverify.spec.cli import main

WORKED_EXAMPLE = '''"""CLOSE-WAIT ignores CLOSE: the passive closer never sends its FIN."""
from tcpverify.spec.tcp.variants import remove


def transform(graph):
    remove(graph, "CloseInCloseWait")
'''

AS_VARIANT = '''from tcpverify.spec.tcp.variants import Variant, retarget
from tcpverify.spec.tcp.states import CLOSED

VARIANT = Variant("last-ack-skipped", "CLOSE in CLOSE-WAIT closes at once",
                  lambda g: retarget(g, "CloseInCloseWait", CLOSED))
'''


def write(tmp_path, text, name="my_variant.py"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_readme_worked_example_is_checked(tmp_path, capsys):
    code = main(["check", "normal", "--variant-file", write(tmp_path, WORKED_EXAMPLE)])
    out = capsys.readouterr().out
    assert code == 1
    assert "scenario normal (loss 0, variant my_variant): VIOLATED" in out
    assert "no-deadlock: stuck with A FIN-WAIT-2, B CLOSE-WAIT (counterexample of 7 steps)" in out


def test_a_module_level_variant_is_used_with_its_name(tmp_path, capsys):
    code = main(["check", "normal", "--variant-file", write(tmp_path, AS_VARIANT)])
    out = capsys.readouterr().out
    assert code == 1 and "variant last-ack-skipped" in out


@pytest.mark.parametrize("text, message", [
    (None, "not found"),
    ("def transform(g:\n", "syntax error at line 1"),
    ("x = 1\n", "defines neither VARIANT = Variant(...) nor transform(graph)"),
    ("VARIANT = 3\n", "VARIANT is a int, not a Variant"),
    ("raise RuntimeError('boom')\n", "raised RuntimeError while loading: boom"),
    ("raise RuntimeError()\n", "raised RuntimeError while loading\n"),
    ("x = 1\0\n", "syntax error: source code string cannot contain null bytes"),
    ("from tcpverify.spec.tcp.variants import retarget\n"
     "def transform(g):\n    retarget(g, 'NoSuchEdge', 'CLOSED')\n",
     "failed on the state graph: KeyError"),
    ("def transform(g):\n    g.edges['CLOSED', 'LISTEN', 'PassiveOpenInClosed']['guard'] = 'bogus'\n",
     "failed on the state graph: AttributeError"),
])
def test_a_broken_variant_file_gets_one_line_and_exit_2(tmp_path, capsys, text, message):
    path = str(tmp_path / "missing.py") if text is None else write(tmp_path, text)
    assert main(["check", "normal", "--variant-file", path]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and err.startswith("tcpverify: error: variant file")
    assert "None" not in err


def test_variant_and_variant_file_together_is_a_usage_error(tmp_path, capsys):
    path = write(tmp_path, WORKED_EXAMPLE)
    assert main(["check", "normal", "--variant", "no-time-wait", "--variant-file", path]) == 2
    assert "not both" in capsys.readouterr().err


def test_graph_draws_a_variant_file(tmp_path, capsys):
    assert main(["graph", "--format", "mermaid", "--variant-file", write(tmp_path, WORKED_EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "CLOSE_WAIT --> LAST_ACK" not in out and "ESTABLISHED --> FIN_WAIT_1" in out
