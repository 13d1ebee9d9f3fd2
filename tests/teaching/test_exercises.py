"""tcpverify exercise: each exercise graded by the checker, right (exit 0), wrong (exit 1, with
what the checker found) and, for bad input, exit 2 (tests/cli/test_bad_input.py)."""

from functools import lru_cache

import pytest

from tcpverify.spec.cli import main
from tcpverify.spec.teaching.exercises import EXERCISES
from tcpverify.spec.teaching.messages import LANGS, MESSAGES
from tcpverify.spec.teaching.narrator import narrate
from tcpverify.spec.teaching.topics import TOPICS, show
from tcpverify.spec.views.steps import LOSE


@lru_cache(maxsize=None)
def saved():
    """The run the time-wait exercises are about, as the test computes it."""
    s = show(TOPICS["lost-final-ack"])
    return s, narrate(s.outcome, s.trace, s.loop_start)


def variant_file(tmp_path, body):
    path = tmp_path / "mine.py"
    path.write_text("from tcpverify.spec.tcp.variants import VARIANTS, remove, retarget\n"
                    f"def transform(g):\n    {body}\n", encoding="utf-8")
    return str(path)


def grade(capsys, name, answer, lang="en"):
    code = main(["exercise", name, "--answer", answer, "--lang", lang])
    return code, capsys.readouterr().out


@pytest.mark.parametrize("lang", LANGS)
def test_the_list_and_each_task_in_each_language(lang, capsys):
    assert main(["exercise", "--lang", lang]) == 0
    listed = capsys.readouterr().out
    for name in EXERCISES:
        assert name in listed and MESSAGES[f"exercise.{name}.title"][lang] in listed
        assert main(["exercise", name, "--lang", lang]) == 0
        out = capsys.readouterr().out
        assert MESSAGES[f"exercise.{name}.task"][lang] in out and f"--answer {EXERCISES[name].answer}" in out


def test_one_change_that_breaks_the_handshake_is_right(tmp_path, capsys):
    code, out = grade(capsys, "break-the-handshake",
                      variant_file(tmp_path, 'VARIANTS["ack-not-incremented"].transform(g)'))
    assert code == 0 and out.startswith("Right.")
    assert "RcvSynInListen (from LISTEN)" in out and "graceful VIOLATED: A sent <SEQ=ISS_A><CTL=RST>" in out
    assert "RcvBadAckInSynSent" in out  # the counterexample the checker found


@pytest.mark.parametrize("body, says", [
    ('VARIANTS["no-retransmission"].transform(g)', "changes 7 edge(s)"),
    ("pass", "changes 0 edge(s)"),
    ('VARIANTS["fin-takes-no-sequence-number"].transform(g)', "fin_len"),
    ('VARIANTS["no-fin-wait-2"].transform(g)', "RcvAckOfFinInFinWait1, leaves FIN-WAIT-1"),
    # one handshake edge, but only a lost SYN would use it: no fault, nothing breaks
    ('remove(g, "RetransmitInSynSent")', "normal with no fault VERIFIED: the handshake still works"),
])
def test_a_variant_that_does_not_do_it_is_wrong_with_what_the_checker_found(tmp_path, capsys, body, says):
    code, out = grade(capsys, "break-the-handshake", variant_file(tmp_path, body))
    assert code == 1 and out.startswith("Not yet.") and says in out


def test_the_shortest_run_where_time_wait_saves_the_connection(capsys):
    s, told = saved()
    steps = len(s.trace) - 1
    assert [x.kind for x in told.steps].count(LOSE) == 1
    code, out = grade(capsys, "time-wait-saves", str(steps))
    assert code == 0 and f"has {steps} steps too" in out and "RcvFinInTimeWait" in out
    assert grade(capsys, "time-wait-saves", str(steps + 1)) == (1, f"Not yet.\nThe checker finds such a run "
                                                                   f"shorter than {steps + 1} steps.\n")
    code, out = grade(capsys, "time-wait-saves", str(steps - 1), "zh")
    assert code == 1 and out.startswith("还不对。") and f"没有只需 {steps - 1} 步" in out


def test_predict_the_states_after_the_lost_segment(capsys):
    _, told = saved()
    last = next(x for x in told.steps if x.kind == LOSE)
    truth = f"{last.a.state},{last.b.state}"
    assert main(["exercise", "predict-the-states"]) == 0
    task = capsys.readouterr().out
    assert f"{last.step:3d}. {last.head}" in task and f"after step {last.step}?" in task
    assert "states:" not in task and truth not in task  # the task does not give the answer away
    code, out = grade(capsys, "predict-the-states", truth.lower().replace("-", "_"))
    assert code == 0 and f"A is in {last.a.state} and B in {last.b.state} after step {last.step}" in out
    code, out = grade(capsys, "predict-the-states", f"FIN-WAIT-2,{last.b.state}")
    assert (code, out) == (1, "Not yet.\nA is not in FIN-WAIT-2.\n")
