"""`tcpverify exercise [NAME] [--answer FILE|VALUE] [--lang en|zh]`: exercises the checker grades.

Without a name, the list; with a name, the task; with --answer, the grade: exit 0 when the
answer is right, 1 when it is wrong (with what the checker found), 2 when it cannot be graded.
"""

from __future__ import annotations

from ..teaching.exercises import EXERCISES, BadAnswer, exercise_list, task
from ..teaching.messages import LANGS, say
from .options import UsageError


def add_parser(sub) -> None:
    p = sub.add_parser("exercise", help="exercises on TCP whose answers the checker grades")
    p.add_argument("name", nargs="?", default=None)
    p.add_argument("--answer", default=None, metavar="FILE|VALUE",
                   help="a variant file or a value, as the exercise asks; the checker grades it")
    p.add_argument("--lang", choices=LANGS, default="en")
    p.set_defaults(run=cmd_exercise)


def cmd_exercise(args) -> int:
    if args.name is None:
        if args.answer is not None:
            raise UsageError("--answer needs an exercise (run tcpverify exercise to list them)")
        print(exercise_list(args.lang))
        return 0
    if args.name not in EXERCISES:
        raise UsageError(f"unknown exercise '{args.name}' (run tcpverify exercise to list them)")
    if args.answer is None:
        print(task(args.name, args.lang))
        return 0
    try:
        grade = EXERCISES[args.name].grade(args.answer, args.lang)
    except BadAnswer as e:
        raise UsageError(str(e)) from None
    print("\n".join([say("exercise.right" if grade.right else "exercise.wrong", args.lang), *grade.found]))
    return 0 if grade.right else 1
