"""The seed blog post (../shared/seed/tcp-handshake-and-close-blog.md), claim by claim.

Each departure names the variant (spec/tcp/variants.py) that encodes it; each omission
names the runs (spec.topics) that show what the post leaves out: a witness of the RFC
model, and where it helps a variant's counterexample beside it. Only the post's
short parenthesised notations are quoted; the rest is described in our own words.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..tcp.states import CLOSED, FIN_WAIT_2, TIME_WAIT
from ..world.config import LOSSY_CONFIGS, Config
from .topics import TOPICS, Topic

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


@dataclass(frozen=True)
class Omission:
    key: str
    title: dict[str, str]
    why: dict[str, str]
    rfc_section: str
    topics: tuple  # spec.topics runs: witnesses of the RFC model, or a variant's counterexample


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
        {"en": "The client's first close segment names a FIN and a sequence number but no "
               "acknowledgment field, written as the first SYN is written, whose ACK bit is off.",
         "zh": "四次挥手的第一个报文段只写了 FIN 和序列号，没有确认号，写法与 ACK 位确实为 0 的"
               "第一个 SYN 相同。"},
        "3.1, 3.10.7.4",
        {"en": "Once a connection is established the acknowledgment number is always sent (3.1); "
               "a segment with the ACK bit off is dropped (3.10.7.4, fifth check). The server never "
               "takes the FIN in.",
         "zh": "连接建立后，确认号总是要发送的（3.1）；ACK 位为 0 的报文段被丢弃（3.10.7.4 第五步"
               "检查）。服务端永远收不进这个 FIN。"}),
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
        (Topic("fin-wait-2", "normal", Config(), waypoints=(_a_in(FIN_WAIT_2), _both_ended)),
         TOPICS["why-fin-wait-2"])),
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
