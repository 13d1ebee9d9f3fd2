"""tcpverify explore: the explored state graph as a page a student plays. The data (every state,
its enabled steps and property values), the size limit, the local server, and the page itself in
a real browser (chromium through selenium), clicked through a lost-final-ack run to TIME-WAIT."""

import json
import re
import threading
import urllib.request
from collections import deque

import pytest

from browser import browser

from tcpverify.spec.cli import explore as explore_cli, main
from tcpverify.spec.suite.run import check_scenario
from tcpverify.spec.teaching.explorer import HOLDS, VIOLATED, Explorer
from tcpverify.spec.tcp.variants import VARIANTS
from tcpverify.spec.world.config import SCENARIOS, Config


def explorer(variant=None, lang="en"):
    o = check_scenario(SCENARIOS["normal"], Config(loss=1), VARIANTS[variant] if variant else None)
    return Explorer(o, lang)


def lost_final_ack(data: dict) -> list[int]:
    """The shortest path (state ids from 0) that loses A's final ACK to B's FIN and ends with A in
    TIME-WAIT having received B's retransmitted FIN: TIME-WAIT's first reason (RFC 9293 3.6)."""
    graph = {s["id"]: s for s in data["graph"]}
    queue, seen = deque([(0, False, [0])]), {(0, False)}
    while queue:
        i, lost, path = queue.popleft()
        s = graph[i]
        for m in s["moves"]:
            t = graph[m["to"]]
            now = lost or (m["kind"] == "lose" and m["at"] == "B" and s["b"]["state"] == "LAST-ACK"
                           and s["a"]["state"] == "TIME-WAIT")
            if lost and m["kind"] == "receive" and m["at"] == "A" and "FIN" in m["segment"] \
                    and t["a"]["state"] == "TIME-WAIT":
                return path + [m["to"]]
            if (m["to"], now) not in seen:
                seen.add((m["to"], now))
                queue.append((m["to"], now, path + [m["to"]]))
    raise AssertionError("no lost-final-ack run")


def test_every_state_carries_its_steps_and_property_values():
    data = explorer().everything()
    assert data["states"] == len(data["graph"]) > 50
    path = lost_final_ack(data)
    assert data["graph"][path[-1]]["a"]["state"] == "TIME-WAIT"
    for s in data["graph"]:
        assert set(s["props"]) == set(data["properties"])
        assert s["props"]["synchronization"][0] == HOLDS  # the run verifies: every invariant holds
        for m in s["moves"]:
            assert 0 <= m["to"] < data["states"]


def test_a_violated_property_is_violated_in_its_counterexamples_last_state_and_can_be_jumped_to():
    data = explorer("no-time-wait").everything()
    jumps = [j for j in data["jumps"] if j["label"].startswith("counterexample")]
    assert jumps
    for j in jumps:
        for a, b in zip(j["path"], j["path"][1:]):  # each jump follows enabled steps
            assert b in [m["to"] for m in data["graph"][a]["moves"]]
    values = [v for s in data["graph"] for v, _ in s["props"].values()]
    assert VIOLATED in values


def test_the_page_is_self_contained(tmp_path):
    out = tmp_path / "x.html"
    assert main(["explore", "normal", "--loss", "1", "--quiet", "--html", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    # nothing loaded from elsewhere (the SVG namespace is a name, not a load)
    assert not re.search(r"""(src|href|url\()\s*=?\s*["']?(https?:)?//""", text)
    assert "<script src" not in text and "<link" not in text
    assert "$" + "{" not in text.split("<script>")[0]  # no placeholder left in the HTML


def test_the_page_refuses_a_configuration_too_large_to_embed(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(explore_cli, "EMBED_LIMIT", 10)
    out = tmp_path / "x.html"
    assert main(["explore", "normal", "--loss", "1", "--quiet", "--html", str(out)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--serve" in err and not out.exists()


def test_serve_answers_state_requests_on_localhost():
    e = explorer()
    server = explore_cli.serve(e, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert server.server_address[0] == "127.0.0.1"
        base = f"http://127.0.0.1:{server.server_port}/"
        page = urllib.request.urlopen(base).read().decode()
        assert '"graph"' not in page  # the states come one at a time
        assert json.loads(urllib.request.urlopen(base + "state/3").read()) == json.loads(
            json.dumps(e.state(3)))
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(base + f"state/{len(e)}")
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow
def test_a_student_clicks_through_a_lost_final_ack_to_time_wait_in_a_real_browser(tmp_path):
    out = tmp_path / "explore.html"
    assert main(["explore", "normal", "--loss", "1", "--quiet", "--html", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8").split('type="application/json">')[1]
                      .split("</script>")[0])
    path = lost_final_ack(data)
    from selenium.webdriver.common.by import By
    d = browser()
    try:
        d.get(out.as_uri())
        status = lambda: d.find_element(By.ID, "status").text  # noqa: E731
        assert status() == "A CLOSED B LISTEN"
        for i in path[1:]:
            d.find_element(By.CSS_SELECTOR, f'#moves button[data-to="{i}"]').click()
        assert status().startswith("A TIME-WAIT")
        history = [li.text for li in d.find_elements(By.CSS_SELECTOR, "#history li")]
        assert len(history) == len(path) and any(h.startswith("Lose") for h in history)
        chart = d.find_element(By.CSS_SELECTOR, "#chart svg").get_attribute("innerHTML")
        assert "\u2715" in chart  # the lost segment's cross
        props = d.find_element(By.ID, "props").text
        assert "violated" not in props and "holds" in props
        d.find_element(By.ID, "back").click()  # go back one step, then branch elsewhere
        assert len(d.find_elements(By.CSS_SELECTOR, "#history li")) == len(path) - 1
        d.find_element(By.ID, "restart").click()
        assert status() == "A CLOSED B LISTEN"
    finally:
        d.quit()
