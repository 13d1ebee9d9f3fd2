"""`tcpverify explain [TOPIC] [--lang en|zh]`: a computed run, told step by step."""

from __future__ import annotations

from ..teaching.messages import LANGS, say
from ..teaching.narrator import narrate
from ..teaching.pages import page
from ..teaching.topics import TOPICS, explanation, lesson, show, topic_list
from .options import UsageError
from .output import output_file, write_files


def add_parser(sub) -> None:
    p = sub.add_parser("explain", help="why TCP is built as it is, shown on runs the checker computes")
    p.add_argument("topic", nargs="?", default=None)
    p.add_argument("--lang", choices=LANGS, default="en")
    p.add_argument("--html", type=output_file, metavar="FILE",
                   help="also write the lesson's page: the question, the text and the run, step by step")
    p.set_defaults(run=cmd_explain)


def cmd_explain(args) -> int:
    if args.topic is None:
        print(topic_list(args.lang))
        return 0
    if args.topic not in TOPICS:
        raise UsageError(f"unknown topic '{args.topic}' (run tcpverify explain to list them)")
    shown = show(TOPICS[args.topic])
    if shown is None:
        print(say("run.missing", args.lang))
        return 1
    told = narrate(shown.outcome, shown.trace, shown.loop_start, args.lang)
    print(explanation(shown, told))
    if args.html:
        write_files({args.html: page(shown.outcome, shown.picked(args.lang), told, lesson(shown, args.lang),
                                     say(f"topic.{args.topic}.title", args.lang))})
    return 0
