"""reports/rfc-gaps.md: known gaps in RFC 9293's connection management, each shown by runs the
checker computes, with their traces, and where there is one, the fix as a variant."""

from __future__ import annotations

from functools import cache

from ..conformance.linux import LINUX
from ..suite.run import Outcome, check_scenario
from ..tcp import rules as r
from ..tcp.states import TIME_WAIT
from ..tcp.variants import Variant, edge
from ..teaching.messages import described, violation
from ..teaching.narrator import narrate
from ..views.render import format_trace
from ..world.config import GAP_SCENARIOS, SCENARIOS, Config
from ..world.system import completes_on_old_segment


def _rfc1337(g) -> None:
    # RFC 1337 section 3 (fix F1): TIME-WAIT ignores a RST instead of closing on it.
    _, _, data = edge(g, "RcvRstInTimeWait")
    g.remove_edge(TIME_WAIT, "CLOSED", key="RcvRstInTimeWait")
    g.add_edge(TIME_WAIT, TIME_WAIT, key="IgnoreRstInTimeWait",
               **{**data, "action": r.drop, "rfc": "RFC 1337 3"})


RFC1337 = Variant("rfc-1337", "TIME-WAIT drops a RST instead of closing on it (RFC 1337 F1)", _rfc1337)


def firings(o: Outcome, name: str) -> list[tuple[int, object, int]]:
    """(source state, label, target state) of every explored transition through edge ``name``."""
    return o.transitions(lambda w, label, after: label.name == name)


def first_path(o: Outcome, name: str) -> list:
    """The shortest run that ends by taking edge ``name``."""
    return o.path_ending(firings(o, name))


def resets_a_late_segment(w, label, after) -> bool:
    """The step sends a RST that answers a late segment (spec/world/late.py): graceful allows it."""
    return _excused(after) > _excused(w)


def _excused(w) -> int:
    return sum(g.rst and g.answers_late for g in w.ab + w.ba)


def _trace(o: Outcome, path=None, verdict=None, lang: str = "en") -> list[str]:
    told = narrate(o, path, lang=lang) if verdict is None else narrate(o, verdict.trace, verdict.loop_start, lang)
    return ["```", format_trace(told), "```"]


def _statuses(o: Outcome, props=("close-completion", "no-deadlock", "graceful")) -> str:
    got = {v.property: v.status for v in o.result.verdicts}
    return ", ".join(f"{p} {got.get(p, 'n/a')}" for p in props)


@cache
def runs() -> dict[str, Outcome]:
    """Every run the report shows, by a short key; computed once per process."""
    normal, vanish = SCENARIOS["normal"], GAP_SCENARIOS["peer-vanishes"]
    early, restarts = GAP_SCENARIOS["close-before-established"], GAP_SCENARIOS["peer-restarts"]
    out = {"twa": check_scenario(normal, Config(dup=1)),
           "twa-fix": check_scenario(normal, Config(dup=1), RFC1337),
           "fw2": check_scenario(vanish, Config(loss=1)),
           "fw2-linux": check_scenario(vanish, Config(loss=1), LINUX),
           "fig13": check_scenario(SCENARIOS["simultaneous-close"], Config()),
           "restart": check_scenario(restarts, Config()),
           "restart-reuse": check_scenario(restarts, REUSE_CONFIG)}
    for c in EARLY_CONFIGS:
        out[f"early {c.name}"] = check_scenario(early, c)
    # the suite leaves close-completion out there and says why: the run shows what the reason names
    out["early loop"] = check_scenario(early, EARLY_CONFIGS[2], regardless=("close-completion",))
    return out


EARLY_CONFIGS = (Config(reorder=True), Config(loss=1, dup=1, reorder=True), Config(stale=1))
REUSE_CONFIG = Config(dup=1)


def taken_from_the_old_connection(o: Outcome) -> list:
    """The shortest run in which a new incarnation completes its handshake on a segment of the
    old connection (a SYN,ACK that answered A's old SYN)."""
    return o.path_ending(o.transitions(completes_on_old_segment))


def close_paths(o: Outcome, x: str) -> dict[tuple[str, ...], int]:
    """Each sequence of x's edges from its CLOSE to its end, with how many runs take it."""
    g = o.result.exploration.graph
    memo: dict[int, dict] = {}

    def walk(i: int) -> dict:
        if i not in memo:
            out = g.edges[i]
            if not out:
                memo[i] = {(): 1}
            else:
                acc: dict = {}
                for label, j in out:
                    mine = (label.name,) if label.actor == x else ()
                    for rest, n in walk(j).items():
                        acc[mine + rest] = acc.get(mine + rest, 0) + n
                memo[i] = acc
        return memo[i]

    paths: dict = {}
    for seq, n in walk(0).items():
        closing = seq[next(k for k, e in enumerate(seq) if e.startswith("Close")):]
        paths[closing] = paths.get(closing, 0) + n
    return dict(sorted(paths.items(), key=lambda kv: (-kv[1], kv[0])))


FIGURE_13 = ("CloseInEstablished", "RcvFinInFinWait1", "RcvAckOfFinInClosing", "TimeoutInTimeWait")


# The report's words in each language; every number, verdict and trace is computed.
TEXT = {
    "en": {
        "title": "# tcpverify: known gaps in RFC 9293's connection management",
        "intro": "Generated by `tcpverify report`; do not edit by hand. Each verdict, count and trace "
                 "below is computed by the checker on the RFC graph (and, for a fix, on a variant of "
                 "it); `tcpverify check SCENARIO` with the configuration named shows the same runs.",
        "twa": "## 1. TIME-WAIT assassination (RFC 1337)",
        "twa.why": "RFC 9293 3.10.7.4 closes a TIME-WAIT connection on a RST whose SEQ is RCV.NXT. Such "
                   "a RST comes from the peer itself once it has closed: here a duplicated final ACK "
                   "reaches B after B is CLOSED, B answers it with <SEQ=SEG.ACK><CTL=RST>, and that is "
                   "exactly A's RCV.NXT (`normal`, {config}).",
        "twa.rfc": "- RFC graph: RcvRstInTimeWait is taken in {n} explored transition(s); {statuses}. "
                   "The shortest run that ends A's TIME-WAIT early:",
        "twa.fix": "- Variant {name} ({description}): RcvRstInTimeWait is taken {rst} times and "
                   "IgnoreRstInTimeWait {ignore}; TIME-WAIT then ends by its 2MSL timer "
                   "(TimeoutInTimeWait, {timeout} times); {statuses}.",
        "twa.none": "No property of the suite fails either way: the hazard RFC 1337 names, an old "
                    "duplicate accepted by a new connection on the same 4-tuple, needs a new "
                    "incarnation to open on it, which the scenarios of the default suite do not do "
                    "(reconnect does: `tcpverify explain why-time-wait-reuse`; so does replay, where "
                    "several connections on one 4-tuple are one endpoint pair).",
        "fw2": "## 2. FIN-WAIT-2 for ever when the peer vanishes",
        "fw2.why": "RFC 9293 has no timer in FIN-WAIT-2: an endpoint whose FIN was acknowledged waits "
                   "for the peer's FIN (3.10.7.4). If the peer's application aborts and its reset is "
                   "lost, nothing ever arrives (`peer-vanishes`, {config}: {description}).",
        "fw2.rfc": "- RFC graph: {statuses}: {message}.",
        "fw2.linux": "- Linux profile (`--profile linux`, FinWait2TimeoutInFinWait2 after "
                     "tcp_fin_timeout): FinWait2TimeoutInFinWait2 is taken {n} times; {statuses}.",
        "early": "## 3. Closing before the connection is established, over a reordering channel",
        "early.why": "Billington and Han asked what TCP does when an application closes while the "
                     "handshake is still under way and the channel reorders. In "
                     "`close-before-established` ({description}) the RFC graph gives:",
        "early.table": "| configuration | states | close-completion | no-deadlock | graceful |",
        "early.lossy": "Under {config} B's retransmission from FIN-WAIT-1 carries its SYN and its FIN "
                       "together, and A takes both (3.10.7.3: ESTABLISHED, then the FIN; "
                       "RcvSynAckFinInSynSent, {n} transitions).",
        "early.reorder": "Neither deadlock nor livelock on a reordering channel: both ends close, and "
                         "graceful is {status}: the resets left answer late segments, as RFC 9293 "
                         "answers any segment no connection wants (3.10.7.1). The first: the third "
                         "ACK is overtaken by the FINs; it reaches B in TIME-WAIT, B acknowledges it "
                         "again, and A, already CLOSED, answers that needless ACK with a reset:",
        "early.stale": "With one old duplicate ({config}) the suite leaves close-completion out (n/a: "
                       "{reason}). Checked regardless, it is {status}: {message}. An old SYN puts A "
                       "in SYN-RECEIVED with a stale IRS; B closes in SYN-RECEIVED, and the two "
                       "answer each other's unacceptable segments with ACKs for ever:",
        "fig13": "## 4. Simultaneous close: Figure 13 and section 3.10.7.4",
        "fig13.why": "Figure 13 shows one exchange: both FINs cross, each side enters CLOSING and "
                     "acknowledges the other's FIN, and each ACK takes its receiver to TIME-WAIT. The "
                     "event processing of 3.10.7.4 allows more: a FIN that arrives after the ACK of "
                     "one's own FIN leads through FIN-WAIT-2, and one that carries that ACK goes "
                     "straight to TIME-WAIT. Every run of `simultaneous-close` ({config}, {states} "
                     "states; {statuses}), by the edges A takes from its CLOSE on, with the number "
                     "of runs:",
        "fig13.table": "| A's edges from CLOSE | runs | Figure 13 |",
        "yes": "yes",
        "fig13.end": "The figure's exchange is one of these; test_rfc_figures.py replays it line by "
                     "line. In each, every FIN is acknowledged and both ends reach TIME-WAIT or CLOSED.",
        "restart": "## 5. A host that crashes and restarts on the same four-tuple",
        "restart.why": "RFC 9293 3.5.1 (Figure 10): a host that crashed and lost its memory of a "
                       "connection opens a new one on the same ports; its SYN draws an ACK of the old "
                       "connection from the peer, which is still ESTABLISHED, the new SYN-SENT answers "
                       "that ACK with a reset, and the half-open connection ends. The RFC's ISN clock "
                       "(3.4.1) and the quiet time after a crash (3.4.3) are what make the new ISN "
                       "differ from the old one; the model assumes neither: a new ISN is any 32-bit "
                       "number (`peer-restarts`: {description}).",
        "restart.crash": "- {config}: Figure 10's discovery is taken (RcvBadAckInSynSent {bad} times, "
                         "RcvRstInEstablished {rst} times); {statuses}. When the new ISN is the old "
                         "one, no reset is ever sent: {message}. A's SYN lies below B's RCV.NXT, B "
                         "answers with an ACK that A's SYN-SENT finds acceptable and drops (3.10.7.3), "
                         "until A gives up:",
        "restart.reuse": "- {config}: a segment of the old connection completes the new one. The "
                         "shortest run in which A's new incarnation accepts a duplicate of the SYN,ACK "
                         "that answered its old SYN: the new connection is then ESTABLISHED on the old "
                         "one's numbers, and what it sends is taken by B's old connection (why an ISN "
                         "must not repeat, 3.4.1):",
    },
    "zh": {
        "title": "# tcpverify：RFC 9293 连接管理中已知的缺口",
        "intro": "由 `tcpverify report` 生成，请勿手工修改。下面的每个结论、计数和轨迹都由检查器在 RFC "
                 "状态图上（对于修正方案，则在它的一个变体上）计算得出；用 `tcpverify check 场景` "
                 "加上文中给出的配置，可以看到同样的运行。",
        "twa": "## 1. TIME-WAIT 被“暗杀”（RFC 1337）",
        "twa.why": "按 RFC 9293 第 3.10.7.4 节，处于 TIME-WAIT 的连接收到 SEQ 等于 RCV.NXT 的 RST 就会关闭。"
                   "这样的 RST 恰恰可能来自已经关闭的对端本身：这里最后一个 ACK 被网络复制了一份，"
                   "副本在 B 已经 CLOSED 之后才到达，B 用 <SEQ=SEG.ACK><CTL=RST> 回应，而这正好等于 A 的 "
                   "RCV.NXT（`normal`，{config}）。",
        "twa.rfc": "- RFC 状态图：在探索到的迁移中，RcvRstInTimeWait 被执行了 {n} 次；{statuses}。"
                   "让 A 的 TIME-WAIT 提前结束的最短运行：",
        "twa.fix": "- 变体 {name}：{description}。"
                   "RcvRstInTimeWait 被执行 {rst} 次，IgnoreRstInTimeWait {ignore} 次；"
                   "TIME-WAIT 于是由 2MSL 计时器结束（TimeoutInTimeWait，{timeout} 次）；{statuses}。",
        "twa.none": "两种情况下都没有性质被违反：RFC 1337 所说的危险，即旧的重复报文段被同一四元组上的新连接接受，"
                    "需要在这个四元组上打开一个新连接，而默认测试套件中的场景都没有这样做（场景 reconnect "
                    "会这样做，见 `tcpverify explain why-time-wait-reuse`；重放也会：在那里，同一四元组上的"
                    "多个连接属于同一对端点）。",
        "fw2": "## 2. 对端消失时永远停在 FIN-WAIT-2",
        "fw2.why": "RFC 9293 没有为 FIN-WAIT-2 规定计时器：FIN 已被确认的一端一直等待对端的 FIN"
                   "（3.10.7.4）。如果对端的应用程序中止了连接，而它的复位报文段又丢失了，就再也不会有任何报文段到达"
                   "（`peer-vanishes`，{config}：{description}）。",
        "fw2.rfc": "- RFC 状态图：{statuses}：{message}。",
        "fw2.linux": "- Linux 配置（`--profile linux`，在 tcp_fin_timeout 之后执行 FinWait2TimeoutInFinWait2）："
                     "FinWait2TimeoutInFinWait2 被执行 {n} 次；{statuses}。",
        "early": "## 3. 在连接建立之前关闭，信道会乱序",
        "early.why": "Billington 和 Han 研究过这样的问题：握手还在进行、信道又会乱序时，应用程序关闭连接，"
                     "TCP 会怎样？场景 `close-before-established` 是这样的：{description}。在这个场景中，"
                     "RFC 状态图给出：",
        "early.table": "| 配置 | 状态数 | close-completion | no-deadlock | graceful |",
        "early.lossy": "在 {config} 下，B 从 FIN-WAIT-1 发出的重传同时携带它的 SYN 和 FIN，A 两者都接收"
                       "（3.10.7.3：先进入 ESTABLISHED，再处理 FIN；RcvSynAckFinInSynSent，共 {n} 次迁移）。",
        "early.reorder": "在乱序信道上既没有死锁也没有活锁：两端都能关闭，graceful 为 {status}："
                         "剩下的复位都是对迟到报文段的回应，正如 RFC 9293 对任何没有连接需要的报文段"
                         "都回以 RST（第 3.10.7.1 节）。第一个例子：第三个 ACK 被两个 FIN 超过；"
                         "它到达处于 TIME-WAIT 的 B，B 再次确认，而已经 CLOSED 的 A 用复位回应这个多余的 ACK：",
        "early.stale": "允许一个旧的重复报文段时（{config}），测试套件不检查 close-completion（n/a：{reason}）。"
                       "不管这一点照样检查，结论是 {status}：{message}。一个旧 SYN 让 A 带着过时的 IRS "
                       "进入 SYN-RECEIVED；B 在 SYN-RECEIVED 中关闭，于是双方对彼此不可接受的报文段"
                       "无休止地互相回 ACK：",
        "fig13": "## 4. 同时关闭：图 13 与第 3.10.7.4 节",
        "fig13.why": "图 13 只画了一种交互：两个 FIN 在网络中交错，每一端进入 CLOSING 并确认对方的 FIN，"
                     "每个 ACK 再把它的接收方带入 TIME-WAIT。第 3.10.7.4 节的事件处理允许更多情况："
                     "在自己的 FIN 被确认之后才到达的 FIN 会经过 FIN-WAIT-2，而同时携带这个确认的 FIN "
                     "则直接进入 TIME-WAIT。下面按 A 从 CLOSE 开始经过的边，列出 `simultaneous-close`"
                     "（{config}，{states} 个状态；{statuses}）的每一种运行及其次数：",
        "fig13.table": "| A 从 CLOSE 开始经过的边 | 运行次数 | 图 13 |",
        "yes": "是",
        "fig13.end": "图中的交互是其中之一；test_rfc_figures.py 逐行重放它。在每一种运行中，每个 FIN "
                     "都得到确认，两端都到达 TIME-WAIT 或 CLOSED。",
        "restart": "## 5. 主机崩溃后在同一四元组上重新连接",
        "restart.why": "RFC 9293 第 3.5.1 节（图 10）：一台主机崩溃后丢失了连接的全部记忆，又在同样的端口上"
                       "建立新连接；它的 SYN 引来仍处于 ESTABLISHED 的对端对旧连接的 ACK，新的 SYN-SENT "
                       "用复位回应这个 ACK，半开连接随之结束。让新 ISN 不同于旧 ISN 的，是 RFC 的 ISN 时钟"
                       "（3.4.1）和崩溃后的静默时间（3.4.3）；本模型两者都不假设：新的 ISN 可以是任意 32 位数。"
                       "场景 `peer-restarts` 是这样的：{description}。",
        "restart.crash": "- {config}：图 10 中发现半开连接的过程确实发生了（RcvBadAckInSynSent {bad} 次，"
                         "RcvRstInEstablished {rst} 次）；{statuses}。当新 ISN 恰好等于旧 ISN 时，永远不会"
                         "有人发送复位：{message}。A 的 SYN 落在 B 的 RCV.NXT 之下，B 回一个 ACK，A 的 "
                         "SYN-SENT 认为它可以接受并将其丢弃（3.10.7.3），直到 A 放弃为止：",
        "restart.reuse": "- {config}：旧连接的一个报文段让新连接完成了建立。下面是 A 的新连接接受旧 SYN "
                         "所得 SYN,ACK 的一个副本的最短运行：新连接于是以旧连接的序列号进入 ESTABLISHED，"
                         "它发送的内容被 B 的旧连接收下（这正是 ISN 不能重复的原因，3.4.1）：",
    },
}


def rfc_gaps_md(lang: str = "en") -> str:
    t, o = TEXT[lang], runs()
    twa, fix = o["twa"], o["twa-fix"]
    out = [t["title"], "", t["intro"], "", t["twa"], "", t["twa.why"].format(config=twa.config.name), "",
           t["twa.rfc"].format(n=len(firings(twa, "RcvRstInTimeWait")), statuses=_statuses(twa)), ""]
    out += _trace(twa, first_path(twa, "RcvRstInTimeWait"), lang=lang)
    out += ["", t["twa.fix"].format(name=RFC1337.name, description=described(RFC1337.description, lang),
                                    rst=len(firings(fix, "RcvRstInTimeWait")),
                                    ignore=len(firings(fix, "IgnoreRstInTimeWait")),
                                    timeout=len(firings(fix, "TimeoutInTimeWait")), statuses=_statuses(fix)),
            "", t["twa.none"], ""]
    fw2, linux = o["fw2"], o["fw2-linux"]
    dead = fw2.verdict("no-deadlock")
    ends = ("close-completion", "no-deadlock", "no-half-open")
    out += [t["fw2"], "", t["fw2.why"].format(config=fw2.config.name,
                                              description=described(GAP_SCENARIOS["peer-vanishes"].description, lang)), "",
            t["fw2.rfc"].format(statuses=_statuses(fw2, ends), message=violation(dead.message, lang)), ""]
    out += _trace(fw2, verdict=dead, lang=lang)
    out += ["", t["fw2.linux"].format(n=len(firings(linux, "FinWait2TimeoutInFinWait2")),
                                      statuses=_statuses(linux, ends)), ""]
    out += [t["early"], "", t["early.why"].format(
        description=described(GAP_SCENARIOS["close-before-established"].description, lang)),
            "", t["early.table"], "|---|---:|---|---|---|"]
    for c in EARLY_CONFIGS:
        run = o[f"early {c.name}"]
        got = {v.property: v.status for v in run.result.verdicts}
        out.append(f"| {c.name} | {run.result.exploration.stats.states} | "
                   + " | ".join(got.get(p, "n/a") for p in ("close-completion", "no-deadlock",
                                                             "graceful")) + " |")
    reorder, stale = o[f"early {EARLY_CONFIGS[0].name}"], o[f"early {EARLY_CONFIGS[2].name}"]
    lossy = o[f"early {EARLY_CONFIGS[1].name}"]
    out += ["", t["early.lossy"].format(config=lossy.config.name, n=len(firings(lossy, "RcvSynAckFinInSynSent")))]
    out += ["", t["early.reorder"].format(status=reorder.verdict("graceful").status), ""]
    out += _trace(reorder, reorder.path_ending(reorder.transitions(resets_a_late_segment)), lang=lang)
    looping = o["early loop"]
    loop = looping.verdict("close-completion")
    out += ["", t["early.stale"].format(config=stale.config.name,
                                        reason=violation(stale.skipped["close-completion"], lang),
                                        status=loop.status, message=violation(loop.message, lang)), ""]
    out += _trace(looping, verdict=loop, lang=lang)
    sim = o["fig13"]
    paths = close_paths(sim, "A")
    out += ["", t["fig13"], "", t["fig13.why"].format(config=sim.config.name,
                                                      states=sim.result.exploration.stats.states,
                                                      statuses=_statuses(sim)), "",
            t["fig13.table"], "|---|---:|---|"]
    for seq, n in paths.items():
        out.append(f"| {', '.join(seq)} | {n} | {t['yes'] if seq == FIGURE_13 else ''} |")
    out += ["", t["fig13.end"], ""]
    return "\n".join(out + _restart_section(o, t, lang))


def _restart_section(o: dict, t: dict, lang: str) -> list[str]:
    crash, reuse = o["restart"], o["restart-reuse"]
    stuck = crash.verdict("no-half-open")
    out = [t["restart"], "", t["restart.why"].format(
        description=described(GAP_SCENARIOS["peer-restarts"].description, lang)), "",
           t["restart.crash"].format(config=crash.config.name, bad=len(firings(crash, "RcvBadAckInSynSent")),
                                     rst=len(firings(crash, "RcvRstInEstablished")),
                                     statuses=_statuses(crash, ("close-completion", "no-deadlock", "no-half-open")),
                                     message=violation(stuck.message, lang)), ""]
    out += _trace(crash, verdict=stuck, lang=lang)
    out += ["", t["restart.reuse"].format(config=reuse.config.name), ""]
    out += _trace(reuse, taken_from_the_old_connection(reuse), lang=lang)
    return out + [""]
