"""The message catalogue of `tcpverify explain` and the trace pages: every text in English and
Chinese. The zh texts use the terms of Chinese networking textbooks (三次握手, 四次挥手, 半关闭,
同时关闭, 序列号, 确认号); state names such as TIME-WAIT stay in English."""

from __future__ import annotations

LANGS = ("en", "zh")

MESSAGES: dict[str, dict[str, str]] = {
    # --- the frame around a topic
    "topics.header": {
        "en": "Topics (tcpverify explain TOPIC [--lang en|zh]):",
        "zh": "主题（tcpverify explain 主题 [--lang en|zh]）：",
    },
    "run.live": {
        "en": "Checked live: {command}",
        "zh": "现场运行检查器：{command}",
    },
    "run.violated": {
        "en": "Property {property} VIOLATED: {message} (counterexample of {length} steps, the shortest)",
        "zh": "性质 {property} 被违反：{message}（最短反例，共 {length} 步）",
    },
    "run.witness": {
        "en": "Witness of {length} steps, the shortest the checker found",
        "zh": "检查器找到的最短见证路径，共 {length} 步",
    },
    "run.missing": {
        "en": "The checker did not find the expected run: the spec has changed.",
        "zh": "检查器没有找到预期的运行：规约已经改变。",
    },
    "run.example": {
        "en": "Concrete numbers for this run (chosen by Z3 to satisfy its path condition): {values}",
        "zh": "本次运行的具体数值（由 Z3 选取，满足路径条件）：{values}",
    },
    # --- one step
    "step.init": {"en": "Initial state", "zh": "初始状态"},
    "step.call": {"en": "{actor}: the application calls {event}",
                  "zh": "{actor}：应用程序调用 {event}"},
    "step.receive": {"en": "{actor} receives a segment from {peer}", "zh": "{actor} 收到来自 {peer} 的报文段"},
    "step.timer": {"en": "{actor}: {event}", "zh": "{actor}：{event}"},
    "step.lose": {"en": "The network loses a segment from {peer} to {actor}",
                  "zh": "网络丢失了 {peer} 发往 {actor} 的报文段"},
    "step.duplicate": {"en": "The network duplicates a segment from {peer} to {actor}",
                       "zh": "网络复制了 {peer} 发往 {actor} 的报文段"},
    "step.old": {"en": "An old duplicate from an earlier connection enters the network towards {actor}",
                 "zh": "来自先前连接的旧的重复报文段进入网络，发往 {actor}"},
    "step.forge": {"en": "A forged segment enters the network towards {actor}",
                   "zh": "一个伪造的报文段进入网络，发往 {actor}"},
    "step.rule": {"en": "rule {name} (RFC 9293 {rfc})", "zh": "规则 {name}（RFC 9293 第 {rfc} 节）"},
    "step.wire": {"en": "on the wire", "zh": "线路上"},
    "step.sends": {"en": "{actor} sends", "zh": "{actor} 发送"},
    "step.states": {"en": "states", "zh": "状态"},
    "step.loop": {"en": "the loop starts here", "zh": "循环从这里开始"},
    "step.back": {"en": "... and back to step {step}, for ever", "zh": "……然后回到第 {step} 步，无限循环"},
    "event.retransmission timeout": {"en": "retransmission timeout", "zh": "重传超时"},
    "event.2MSL timeout": {"en": "2MSL timeout", "zh": "2MSL 超时"},
    "event.FIN-WAIT-2 timeout": {"en": "FIN-WAIT-2 timeout", "zh": "FIN-WAIT-2 超时"},
    "event.keep-alive timeout": {"en": "keep-alive timeout", "zh": "保活超时"},
    # --- one step in one line (check, verify's reports, JUnit, replay)
    "head.init": {"en": "initial state", "zh": "初始状态"},
    "head.net": {"en": "net: {action} {peer}->{actor} {segment}", "zh": "网络：{action} {peer}->{actor} {segment}"},
    "head.receives": {"en": "receives {segment}", "zh": "收到 {segment}"},
    "head.on": {"en": "on {event}", "zh": "事件 {event}"},
    "head.sends": {"en": "sends {segments}", "zh": "发送 {segments}"},
    "trace.condition": {"en": "under the path condition: {literals}", "zh": "路径条件：{literals}"},
    "trace.model": {"en": "for example: {values}", "zh": "例如：{values}"},
    "replay.captured": {"en": "{number} {dir} {segment} captured (sent by {edge})",
                        "zh": "{number} {dir} {segment} 被捕获（由 {edge} 发送）"},
    "replay.unseen": {"en": "; not captured, so lost before the capture point: {segments}",
                      "zh": "；未被捕获，因此在捕获点之前丢失：{segments}"},
    "replay.carried": {"en": "; its ACK also acknowledges what a delayed ACK would have: {segments}",
                       "zh": "；它的 ACK 也确认了一个被延迟的 ACK 本会确认的内容：{segments}"},
    "replay.lost": {"en": "{number} lost after the capture point", "zh": "{number} 在捕获点之后丢失"},
    "replay.unchecked": {"en": "not checked", "zh": "未检查"},
    "segment.seq": {"en": "SEQ", "zh": "序列号 SEQ"},
    "segment.ack": {"en": "ACK", "zh": "确认号 ACK"},
    "segment.flags": {"en": "flags", "zh": "标志位"},
    "segment.old": {"en": "(old duplicate)", "zh": "（旧的重复报文段）"},
    # --- the trace page
    "page.title": {"en": "tcpverify trace: {what}", "zh": "tcpverify 轨迹：{what}"},
    "page.prev": {"en": "previous", "zh": "上一步"},
    "page.next": {"en": "next", "zh": "下一步"},
    "page.keys": {"en": "Arrow keys move one step.", "zh": "方向键可逐步前进或后退。"},
    "page.step": {"en": "Step", "zh": "步骤"},
    "page.tcb": {"en": "Transmission control blocks after this step",
                 "zh": "本步之后两端的传输控制块（TCB）"},
    # --- the topics
    "topic.why-three-way-handshake.title": {
        "en": "Why a three-way handshake?",
        "zh": "为什么要三次握手？",
    },
    "topic.why-three-way-handshake.intro": {
        "en": "Suppose LISTEN answered a SYN and were ESTABLISHED at once: a two-way handshake "
              "(variant two-way-handshake). RFC 9293 section 3.5 (Figure 8) gives the reason TCP "
              "does not do this: an old duplicate SYN from an earlier connection can arrive, and the "
              "listener cannot tell it from a new one. Only the third segment, which acknowledges "
              "the listener's own initial sequence number, proves that the peer is opening a "
              "connection now. The checker explores every run with one old duplicate and finds the "
              "shortest in which this goes wrong:",
        "zh": "假设 LISTEN 状态收到 SYN 后立即进入 ESTABLISHED，即“两次握手”（变体 two-way-handshake）。"
              "RFC 9293 第 3.5 节（图 8）说明了 TCP 不这样做的原因：网络中可能滞留着先前连接的旧的重复 SYN，"
              "监听方无法把它与新的连接请求区分开。只有第三次握手，即对监听方自己的初始序列号（ISN）的确认，"
              "才能证明对端此刻确实在建立连接。检查器搜索允许一个旧的重复报文段的所有运行，"
              "找出出错的最短运行：",
    },
    "topic.why-three-way-handshake.outro": {
        "en": "B became ESTABLISHED on the sequence number of an old segment that no current peer "
              "chose. With the three-way handshake B waits in SYN-RECEIVED instead; the peer answers "
              "B's SYN,ACK, which acknowledges nothing it sent, with RST (RFC 9293 3.10.7.1 and "
              "3.10.7.3), and B returns to LISTEN. `tcpverify check normal --stale 1` verifies the "
              "real protocol under the same fault.",
        "zh": "B 依据一个旧报文段的序列号进入了 ESTABLISHED，而这个序列号并不是当前任何一端选择的。"
              "在三次握手中，B 会停在 SYN-RECEIVED；对端收到这个确认了它从未发送过的数据的 SYN,ACK 后回复 RST"
              "（RFC 9293 第 3.10.7.1 节和第 3.10.7.3 节），B 回到 LISTEN。"
              "运行 `tcpverify check normal --stale 1` 可以看到真实协议在同样的故障下通过验证。",
    },
    "topic.why-time-wait.title": {
        "en": "Why TIME-WAIT?",
        "zh": "为什么需要 TIME-WAIT？",
    },
    "topic.why-time-wait.intro": {
        "en": "The end that closes first waits in TIME-WAIT for 2MSL before it forgets the "
              "connection. Take TIME-WAIT away (variant no-time-wait: the active closer goes straight "
              "to CLOSED) and let the network lose one segment. The checker finds the shortest run "
              "that ends in a reset:",
        "zh": "先关闭的一端要在 TIME-WAIT 状态等待 2MSL 才释放连接。去掉 TIME-WAIT"
              "（变体 no-time-wait：主动关闭方直接进入 CLOSED），并允许网络丢失一个报文段。"
              "检查器找出以复位（RST）告终的最短运行：",
    },
    "topic.why-time-wait.outro": {
        "en": "The final ACK of the four-way close was lost. The peer, still in LAST-ACK, "
              "retransmits its FIN; the active closer has already deleted its TCB, so the rules for "
              "CLOSED (RFC 9293 3.10.7.1) answer with RST: the peer's orderly close ends in a reset "
              "instead of the ACK it waits for. In "
              "TIME-WAIT the active closer would still hold the connection, acknowledge the "
              "retransmitted FIN and restart the 2MSL timeout (RFC 9293 3.10.7.4): see `tcpverify "
              "explain lost-final-ack`. TIME-WAIT's other job, keeping old segments out of a new "
              "incarnation of the connection, goes with the quiet time of RFC 9293 3.4.1.",
        "zh": "四次挥手的最后一个 ACK 丢失了。对端仍处于 LAST-ACK，于是重传它的 FIN；"
              "而主动关闭方已经删除了 TCB，只能按 CLOSED 状态的规则（RFC 9293 第 3.10.7.1 节）回复 RST，"
              "对端本应有序完成的关闭以复位告终，而不是收到它等待的 ACK。如果主动关闭方处于 TIME-WAIT，它仍保留着这个连接，"
              "会确认重传的 FIN 并重新启动 2MSL 计时器（RFC 9293 第 3.10.7.4 节），"
              "见 `tcpverify explain lost-final-ack`。TIME-WAIT 的另一个作用是不让旧报文段混入"
              "同一连接的新化身，这与 RFC 9293 第 3.4.1 节的静默时间相配合。",
    },
    "topic.why-fin-wait-2.title": {
        "en": "Why FIN-WAIT-2?",
        "zh": "为什么需要 FIN-WAIT-2？",
    },
    "topic.why-fin-wait-2.intro": {
        "en": "Once its FIN is acknowledged, the active closer waits in FIN-WAIT-2 for the peer's "
              "FIN. The connection is half-closed: the peer may still send data, and it closes when "
              "its application decides to. Suppose the ACK of the FIN led straight to TIME-WAIT "
              "(variant no-fin-wait-2). With no fault at all, the checker finds:",
        "zh": "主动关闭方的 FIN 被确认后，它在 FIN-WAIT-2 状态等待对端的 FIN。此时连接处于半关闭状态："
              "对端仍可以发送数据，并在它的应用程序决定时才关闭。假设 FIN 的确认直接把主动关闭方带入 "
              "TIME-WAIT（变体 no-fin-wait-2）。即使网络没有任何故障，检查器也会找到：",
    },
    "topic.why-fin-wait-2.outro": {
        "en": "TIME-WAIT lasts 2MSL, but the peer's application may close much later. When 2MSL "
              "expired, the active closer forgot the connection, and the peer's FIN, when it came, "
              "was answered with RST (RFC 9293 3.10.7.1). FIN-WAIT-2 has no timeout in RFC 9293: it "
              "waits for the FIN however long the half-close lasts, and TIME-WAIT starts only after "
              "the FIN has been received.",
        "zh": "TIME-WAIT 只持续 2MSL，而对端的应用程序可能很久之后才关闭。2MSL 到期后，"
              "主动关闭方已经忘记了这个连接，对端的 FIN 到达时只得到 RST（RFC 9293 第 3.10.7.1 节）。"
              "RFC 9293 没有为 FIN-WAIT-2 规定超时：无论半关闭持续多久，它都等待对端的 FIN，"
              "收到 FIN 之后才进入 TIME-WAIT。",
    },
    "topic.simultaneous-close.title": {
        "en": "Simultaneous close",
        "zh": "同时关闭",
    },
    "topic.simultaneous-close.intro": {
        "en": "Both ends may call CLOSE at the same time (RFC 9293 section 3.6, Figure 13). Each "
              "sends a FIN and receives the peer's FIN before the ACK of its own, so FIN-WAIT-1 "
              "leads to CLOSING rather than FIN-WAIT-2. Here is the shortest run the checker "
              "computed in which both ends pass through CLOSING and then reach TIME-WAIT:",
        "zh": "两端可能同时调用 CLOSE（RFC 9293 第 3.6 节，图 13）。每一端都发送 FIN，"
              "并在自己的 FIN 被确认之前先收到对端的 FIN，因此 FIN-WAIT-1 进入 CLOSING 而不是 FIN-WAIT-2。"
              "下面是检查器计算出的最短运行：两端都经过 CLOSING，然后进入 TIME-WAIT：",
    },
    "topic.simultaneous-close.outro": {
        "en": "Each end acknowledged the other's FIN and then received the ACK of its own, so both "
              "enter TIME-WAIT and both wait 2MSL before CLOSED: four segments, as in the usual "
              "four-way close, but crossing on the wire. `tcpverify check simultaneous-close` "
              "verifies every property of this scenario.",
        "zh": "每一端都确认了对方的 FIN，随后收到了对自己 FIN 的确认，所以两端都进入 TIME-WAIT，"
              "都要等待 2MSL 才进入 CLOSED：与通常的四次挥手一样是四个报文段，只是它们在线路上交叉。"
              "运行 `tcpverify check simultaneous-close` 可以验证该场景的全部性质。",
    },
    "topic.lost-final-ack.title": {
        "en": "When the final ACK is lost",
        "zh": "最后一个 ACK 丢失时",
    },
    "topic.lost-final-ack.intro": {
        "en": "What does real TCP do when the last ACK of the four-way close is lost? The checker "
              "explores every run of the normal close with one lost segment (and verifies them "
              "all); here is the shortest run in which the final ACK is lost and TIME-WAIT does "
              "its job:",
        "zh": "如果四次挥手的最后一个 ACK 丢失，真实的 TCP 会怎样？检查器探索正常关闭过程中丢失一个报文段的"
              "所有运行（并全部验证通过）；下面是最后一个 ACK 丢失、由 TIME-WAIT 发挥作用的最短运行：",
    },
    "topic.lost-final-ack.outro": {
        "en": "In LAST-ACK no ACK came for the FIN, so the retransmission timer fired and the FIN "
              "was sent again (RFC 9293 3.8.1). The active closer, in TIME-WAIT, still knows the "
              "connection: it acknowledges the retransmitted FIN and restarts the 2MSL timeout "
              "(RFC 9293 3.10.7.4). The passive closer reaches CLOSED cleanly, and the active "
              "closer follows when 2MSL expires. Compare `tcpverify explain why-time-wait`.",
        "zh": "在 LAST-ACK 状态，FIN 迟迟没有得到确认，于是重传计时器超时，FIN 被重新发送"
              "（RFC 9293 第 3.8.1 节）。处于 TIME-WAIT 的主动关闭方仍然知道这个连接：它确认重传的 FIN，"
              "并重新启动 2MSL 计时器（RFC 9293 第 3.10.7.4 节）。被动关闭方正常进入 CLOSED，"
              "主动关闭方在 2MSL 到期后也进入 CLOSED。可与 `tcpverify explain why-time-wait` 对照。",
    },
}


def say(key: str, lang: str, **values) -> str:
    """The text of ``key`` in ``lang``, with ``values`` filled in."""
    return MESSAGES[key][lang].format(**values)
