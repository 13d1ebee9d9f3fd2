"""The seed blog post (../shared/seed/tcp-handshake-and-close-blog.md), claim by claim.

Each departure names the variant (spec/tcp/variants.py) that encodes it; each omission
names the runs (spec.topics) that show what the post leaves out: a witness of the RFC
model, and where it helps a variant's counterexample beside it; each conceptual error in
its words is shown the same way, with a fact computed from the run. Only the post's
parenthesised notations and a few short phrases are quoted; the rest is described in our
own words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..tcp.segment import Segment
from ..tcp.states import CLOSED, ESTABLISHED, FIN_WAIT_2, LISTEN, SYN_RECEIVED, TIME_WAIT
from ..tcp.symbolic import OLD_PREFIX
from ..world.config import LOSSY_CONFIGS, Config
from ..world.environment import PEER
from ..world.system import World
from .messages import say
from .narrator import sent_by
from .topics import TOPICS, Shown, Topic

ENDED = (CLOSED, TIME_WAIT)
CONFIGS = LOSSY_CONFIGS  # the post speaks of no duplicated, reordered or old segments


@dataclass(frozen=True)
class Departure:
    variant: str
    notation: tuple[str, ...]  # the post's own words: its parenthesised notations only
    claim: dict[str, str]  # "en" and "zh": what the post says, in our words
    rfc_section: str
    rfc: dict[str, str]
    proof: str = ""  # the `tcpverify prove` obligation that decides it for every ISN pair
    proof_zh: str = ""  # that obligation's statement in Chinese (the English is the obligation's own)
    reading: bool = False  # the notation read literally: not an error the post states


@dataclass(frozen=True)
class Omission:
    """Something the post leaves out, or (with ``quote``) a conceptual error in its words:
    each shown on the runs of ``topics``; ``fact`` states what a run computes."""

    key: str
    title: dict[str, str]
    why: dict[str, str]
    rfc_section: str
    topics: tuple  # spec.topics runs: witnesses of the RFC model, or a variant's counterexample
    quote: tuple[str, ...] = ()  # the post's own words, short
    fact: Callable[[Shown, str], str] | None = None  # a sentence computed from the first run


DEPARTURES = (
    Departure(
        "syn-in-third-segment", ("（SYN=1，ACK=y+1，seq=x+1）",),
        {"en": "The client's third handshake segment sets the SYN bit again, besides acknowledging "
               "the server's SYN.",
         "zh": "三次握手的第三个报文段里，客户端除了确认服务端的 SYN，还再次把 SYN 置 1。"},
        "3.5 (Figure 6), 3.10.7.3, 3.10.7.4",
        {"en": "The third segment is `<SEQ=ISS+1><ACK=RCV.NXT><CTL=ACK>`: SYN is off. A SYN that "
               "reaches a passive SYN-RECEIVED endpoint sends it back to LISTEN (3.10.7.4, fourth "
               "check), so the client is ESTABLISHED with a server that has forgotten it.",
         "zh": "第三个报文段是 `<SEQ=ISS+1><ACK=RCV.NXT><CTL=ACK>`，SYN 为 0。被动打开、处于 "
               "SYN-RECEIVED 的一端收到 SYN 时回到 LISTEN（3.10.7.4 第四步检查），于是客户端已 "
               "ESTABLISHED，服务端却忘了这条连接。"},
        proof="seed-third-segment-not-an-ack",
        proof_zh="对任意一对 ISN，<SEQ=x+1><ACK=y+1><CTL=SYN,ACK> 对处于 SYN-RECEIVED 的被动方 B 是可接受的，"
                 "但由于 SYN 位为 1，它把 B 送回 LISTEN（RcvSynInSynReceived，RFC 9293 第 3.10.7.4 节"
                 "第四步检查），而不是进入 ESTABLISHED"),
    Departure(
        "fin-without-ack", ("（FIN=1，seq=x，x 由客户端随机生成）",),
        {"en": "A reading, not an error the post states: the first close segment is written with "
               "a FIN and a sequence number and no acknowledgment field, as the first SYN is, whose "
               "ACK bit is off. The post never says this segment's ACK bit is off; here the "
               "notation is taken literally, to show what it would cost.",
         "zh": "这是一种读法，并非帖子明说的错误：四次挥手的第一个报文段只写了 FIN 和序列号，没有确认号，"
               "写法与 ACK 位确实为 0 的第一个 SYN 相同。帖子并没有说这个报文段的 ACK 位为 0；"
               "这里按字面理解它的记法，看看这样做的代价。"},
        "3.1, 3.10.7.4",
        {"en": "Once a connection is established the acknowledgment number is always sent (3.1); "
               "a segment with the ACK bit off is dropped (3.10.7.4, fifth check). The server never "
               "takes the FIN in.",
         "zh": "连接建立后，确认号总是要发送的（3.1）；ACK 位为 0 的报文段被丢弃（3.10.7.4 第五步"
               "检查）。服务端永远收不进这个 FIN。"},
        reading=True),
    Departure(
        "random-sequence-in-close",
        ("（FIN=1，seq=x，x 由客户端随机生成）", "（FIN=1，ACK=x+1，seq=y，y 由服务端随机生成）",
         "（FIN=1，ACK=x+1，seq=z，z 由服务端随机生成）", "（FIN=1，ACK=z+1，seq=h，h 为客户端随机生成）"),
        {"en": "Each of the four close segments carries a sequence number that its sender draws "
               "at random.",
         "zh": "四次挥手的四个报文段，序列号都由发送方随机生成。"},
        "3.4, 3.10.4, 3.10.7.4 (Table 6)",
        {"en": "A segment's SEQ is the sequence number of its first octet, SND.NXT (3.4; CLOSE "
               "sends `<SEQ=SND.NXT><ACK=RCV.NXT><CTL=FIN,ACK>`, 3.10.4). The receiver accepts a "
               "segment only if `RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND` (Table 6); a random number "
               "fails that test except by chance, and the segment is answered with an ACK and dropped.",
         "zh": "报文段的序列号是它第一个字节的序号，即 SND.NXT（3.4；CLOSE 发送 "
               "`<SEQ=SND.NXT><ACK=RCV.NXT><CTL=FIN,ACK>`，3.10.4）。接收方只接受 "
               "`RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND` 的报文段（表 6）；随机数除非碰巧，否则通不过"
               "这个检查，报文段被回一个 ACK 后丢弃。"}),
    Departure(
        "fin-on-ack-of-fin", ("（FIN=1，ACK=x+1，seq=y，y 由服务端随机生成）",),
        {"en": "The server's second close segment, which only acknowledges the client's FIN while "
               "the server's application may still send, has the FIN bit set.",
         "zh": "第二个挥手报文段本来只是服务端对客户端 FIN 的确认（此时服务端应用还可以继续发送），"
               "帖子却把 FIN 置 1。"},
        "3.6 (Figure 12), 3.10.4",
        {"en": "The second segment is a plain `<CTL=ACK>`; the passive closer sends its FIN only "
               "when its own application calls CLOSE in CLOSE-WAIT (3.10.4). A FIN occupies a "
               "sequence number: the client, taking this one in, acknowledges a number the "
               "server never sent.",
         "zh": "第二个报文段只是 `<CTL=ACK>`；被动关闭方要等自己的应用在 CLOSE-WAIT 中调用 CLOSE "
               "才发送 FIN（3.10.4）。FIN 占用一个序列号：客户端收下这个 FIN 后，确认了服务端"
               "从未发送过的序号。"}),
    Departure(
        "fin-on-final-ack", ("（FIN=1，ACK=z+1，seq=h，h 为客户端随机生成）",),
        {"en": "The client's fourth close segment, the final acknowledgment, has the FIN bit set.",
         "zh": "第四个挥手报文段，即最后的确认，帖子也把 FIN 置 1。"},
        "3.6 (Figure 12), 3.10.7.4",
        {"en": "The final segment is `<CTL=ACK>` (Figure 12); the client has already sent its one "
               "FIN, which occupies one sequence number (3.4). A second FIN claims a sequence "
               "number after it.",
         "zh": "最后一个报文段是 `<CTL=ACK>`（图 12）；客户端已经发过它唯一的 FIN，占用一个序列号"
               "（3.4）。再发一个 FIN 就又占用了其后的一个序列号。"}),
)


def _a_in(state: str):
    return lambda w: w.a.state == state


def _both_ended(w) -> bool:
    return w.a.state in ENDED and w.b.state in ENDED


def _old_syn_taken(w) -> bool:
    """B answered an old duplicate SYN: its IRS is an old incarnation's number."""
    return w.b.state == SYN_RECEIVED and w.b.irs.base.startswith(OLD_PREFIX)


def _data_after_fin(w) -> bool:
    """A, having sent its FIN, has delivered data from B to its application."""
    return w.a.fin_seq is not None and w.a.received > 0


NORMAL_CLOSE = Topic("normal-close", "normal", Config(), waypoints=(_a_in(FIN_WAIT_2), _both_ended))


def _sent(shown: Shown) -> list[tuple[str, Segment, World]]:
    """(sender, segment, world after) for each segment an endpoint sends in the run."""
    worlds = [shown.outcome.state(i) for _, i in shown.trace]
    return [(label.actor, g, worlds[n]) for n, (label, _) in enumerate(shown.trace) if label is not None
            for g in sent_by(worlds[n - 1], worlds[n], label.actor)]


def _ack_fact(shown: Shown, lang: str) -> str:
    """How many segments carry the ACK bit, and how many values their acknowledgment numbers take."""
    sent = [g for _, g, _ in _sent(shown)]
    off = [str(g) for g in sent if g.ack is None]
    numbers = list(dict.fromkeys(str(g.ack) for g in sent if g.ack is not None))
    return say("seed.fact.ack", lang, n=len(sent), off=", ".join(off), on=len(sent) - len(off),
               k=len(numbers), values=", ".join(numbers))


def _plus_one_fact(shown: Shown, lang: str) -> str:
    """Each SYN's sequence number, its sender's SND.NXT after it, and the peer's first ACK."""
    sent = _sent(shown)
    out = []
    for x in ("A", "B"):
        syn, after = next((g, w) for y, g, w in sent if y == x and g.syn)
        ack = next(g.ack for y, g, _ in sent if y == PEER[x] and g.ack is not None)
        out.append(say("seed.fact.syn", lang, x=x, seq=syn.seq, nxt=after.tcb(x).snd_nxt, peer=PEER[x],
                       ack=ack))
    return say("seed.fact.plus-one", lang, each=say("seed.fact.and", lang).join(out))


def _half_close_fact(shown: Shown, lang: str) -> str:
    """The data B sends after taking in A's FIN, B's state then, and the state A receives it in."""
    worlds = [shown.outcome.state(i) for _, i in shown.trace]
    n = next(k for k, w in enumerate(worlds) if w.a.received > 0)
    seg = shown.trace[n][0].segment
    sent_in = next(w.b.state for x, g, w in _sent(shown) if x == "B" and g == seg)
    return say("seed.fact.half-close", lang, seg=seg, state=worlds[n].a.state, b=sent_in,
               octets=worlds[n].a.received)


OMISSIONS = (
    Omission(
        "fin-wait-2",
        {"en": "FIN-WAIT-2", "zh": "FIN-WAIT-2"},
        {"en": "Once its FIN is acknowledged, the active closer waits in FIN-WAIT-2 for the "
               "peer's FIN, which comes only when the peer's application closes; the post goes "
               "from FIN_WAIT_1 to TIME_WAIT without it. Without FIN-WAIT-2 (variant "
               "`no-fin-wait-2`) the client is in TIME-WAIT before the server has closed.",
         "zh": "主动关闭方的 FIN 被确认后，进入 FIN-WAIT-2 等待对方的 FIN，而对方要等自己的应用"
               "关闭才发 FIN；帖子从 FIN_WAIT_1 直接跳到 TIME_WAIT，漏掉了这个状态。没有 "
               "FIN-WAIT-2 时（变体 `no-fin-wait-2`），服务端还没关闭，客户端就已进入 TIME-WAIT。"},
        "3.3.2, 3.10.7.4",
        (NORMAL_CLOSE, TOPICS["why-fin-wait-2"])),
    Omission(
        "closing",
        {"en": "CLOSING (simultaneous close)", "zh": "CLOSING（同时关闭）"},
        {"en": "When both sides close at once, each receives the other's FIN while in FIN-WAIT-1 "
               "and goes to CLOSING, then to TIME-WAIT: both end in TIME-WAIT.",
         "zh": "双方同时关闭时，各自在 FIN-WAIT-1 中收到对方的 FIN，进入 CLOSING，再进入 "
               "TIME-WAIT：两端都经过 TIME-WAIT。"},
        "3.6 (Figure 13)", (TOPICS["simultaneous-close"],)),
    Omission(
        "last-ack-lost",
        {"en": "The last ACK lost", "zh": "最后一个 ACK 丢失"},
        {"en": "If the final ACK is lost, the server in LAST-ACK retransmits its FIN; the client, "
               "still in TIME-WAIT, acknowledges it again and restarts the 2MSL timer; then "
               "both close.",
         "zh": "如果最后一个 ACK 丢失，处于 LAST-ACK 的服务端重传 FIN；客户端还在 TIME-WAIT 中，"
               "再次确认并重新开始 2MSL 计时；之后双方都关闭。"},
        "3.6, 3.10.7.4 (TIME-WAIT)", (TOPICS["lost-final-ack"],)),
    Omission(
        "time-wait",
        {"en": "Why TIME-WAIT", "zh": "为什么要有 TIME-WAIT"},
        {"en": "TIME-WAIT keeps the connection's state for 2MSL so that a retransmitted FIN is "
               "acknowledged rather than answered with RST (the run above), and old segments die "
               "out before the same connection is used again; then it expires to CLOSED. Without "
               "it (variant `no-time-wait`) the same lost ACK ends in a reset.",
         "zh": "TIME-WAIT 把连接状态保留 2MSL：重传的 FIN 会被确认而不是被 RST 回应（见上一节的"
               "运行），旧报文段在同一连接再次使用前消失；之后超时进入 CLOSED。没有它（变体 "
               "no-time-wait）时，同样丢失一个 ACK 就以复位告终。"},
        "3.4.2, 3.6, 3.10.8", (TOPICS["why-time-wait"],)),
)

# The post's conceptual errors: what its words say, against RFC 9293, each on computed runs.
MISCONCEPTIONS = (
    Omission(
        "ack-flag",
        {"en": "The ACK flag is not the acknowledgment number", "zh": "ACK 标志位不是确认号"},
        {"en": "The post calls the ACK flag a \"verification field\" and writes the acknowledgment "
               "number as ACK=x+1, as if the flag held the number. They are two fields: the ACK "
               "control bit says that the acknowledgment field is significant; the acknowledgment "
               "number, 32 bits, is the next sequence number the sender of the segment expects to "
               "receive. Once a connection is established the bit is always set, while the number "
               "moves on.",
         "zh": "帖子把 ACK 标志位说成“验证字段”，又把确认号写成 ACK=x+1，仿佛确认号就装在这个标志位里。"
               "其实这是两个字段：ACK 控制位表示确认号字段有效；确认号是 32 位的数，表示报文段发送方"
               "期望收到的下一个序列号。连接建立之后，ACK 位始终为 1，确认号却随着数据不断前进。"},
        "3.1", (NORMAL_CLOSE,), quote=("ACK 标志表示验证字段", "ACK=x+1"), fact=_ack_fact),
    Omission(
        "plus-one",
        {"en": "Why the acknowledgment is x+1", "zh": "确认号为什么是 x+1"},
        {"en": "The post explains the +1 as saying whom the connection is with. A connection is "
               "defined by its pair of sockets (3.4.1), not by any number. The +1 is there because "
               "a SYN occupies one sequence number (3.4), and an acknowledgment number is the next "
               "sequence number expected: after a SYN at x, that is x+1. Acknowledge x instead "
               "(variant `ack-not-incremented`) and the SYN itself is not acknowledged: the "
               "client finds the ACK unacceptable and answers it with a reset.",
         "zh": "帖子把 +1 解释为“确认和谁建立连接”。一条连接由它的一对套接字确定（3.4.1），与这个数无关。"
               "之所以 +1，是因为 SYN 占用一个序列号（3.4），而确认号是期望收到的下一个序列号："
               "SYN 的序列号为 x，确认号就是 x+1。如果只确认到 x（变体 `ack-not-incremented`），"
               "SYN 本身就没有被确认：客户端认为这个 ACK 不可接受，回一个复位（RST）。"},
        "3.4, 3.4.1, 3.10.7.3",
        (NORMAL_CLOSE, Topic("plus-one", "normal", Config(), "ack-not-incremented", property="graceful")),
        quote=("确认和谁建立连接",), fact=_plus_one_fact),
    Omission(
        "half-close",
        {"en": "A FIN closes one direction only", "zh": "FIN 只关闭一个方向"},
        {"en": "The post says that a FIN disconnects the TCP connection, against its own paragraph "
               "on the four-way close, which rightly says that a FIN ends one direction only and "
               "that the side receiving it may still send. CLOSE means \"I have no more data to "
               "send\"; the closing side keeps receiving until its peer closes too (3.6).",
         "zh": "帖子说 FIN 置 1“表示断开 TCP 连接”，这与它自己介绍四次挥手时那段正确的话相矛盾："
               "FIN 只终止一个方向的数据传送，收到 FIN 的一方仍然可以发送数据。CLOSE 的意思是"
               "“我没有数据要发送了”；关闭的一方在对端也关闭之前仍继续接收（3.6）。"},
        "3.6, 3.10.4",
        (Topic("half-close", "half-close", Config(), waypoints=(_data_after_fin, _both_ended)),),
        quote=("FIN 标志位数置 1，表示断开 TCP 连接",), fact=_half_close_fact),
    Omission(
        "three-segments",
        {"en": "Why three segments", "zh": "为什么是三个报文段"},
        {"en": "The post gives no reason for the third segment beyond delivering data accurately. "
               "RFC 9293 gives one: an old duplicate SYN of an earlier connection may arrive, and "
               "the listener cannot tell it from a new one; only the third segment, which "
               "acknowledges the listener's own ISN, shows that the peer is opening a connection "
               "now. With three segments one old SYN does no harm (the first run: the client "
               "resets the answer to it and the listener goes back to LISTEN); with two (variant "
               "`two-way-handshake`) it breaks synchronization.",
         "zh": "帖子除了“准确无误地将数据送达”之外，没有说明为什么需要第三个报文段。RFC 9293 给出了理由："
               "网络中可能滞留着先前连接的旧的重复 SYN，监听方无法把它与新的连接请求区分开；只有第三个"
               "报文段确认了监听方自己的 ISN，才能证明对端此刻确实在建立连接。三次握手时，一个旧 SYN "
               "无害（第一次运行：客户端用 RST 回应对它的应答，监听方回到 LISTEN）；两次握手时"
               "（变体 `two-way-handshake`），它会破坏同步。"},
        "3.5 (Figure 8)",
        (Topic("old-syn-rejected", "normal", Config(stale=1),
               waypoints=(_old_syn_taken, lambda w: w.b.state == LISTEN,
                          lambda w: w.a.state == w.b.state == ESTABLISHED, _both_ended)),
         TOPICS["why-three-way-handshake"]),
        quote=("TCP 协议采纳三次握手策略",)),
)
