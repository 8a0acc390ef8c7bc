"""The ``tumbuh`` command: every management command, plus ``serve``, ``worker`` and the project's
own commands (``demo``, ``backup``, ``restore``).

``tumbuh serve`` runs gunicorn with production settings (DEBUG off unless set), ``tumbuh worker``
runs the background-task worker, ``tumbuh demo`` loads everything and serves it (see
``tumbuh/demo.py``), ``tumbuh backup PATH`` and ``tumbuh restore PATH`` write and read a backup
(``tumbuh/backup/``). Anything else is a Django management command:
``tumbuh migrate``, ``tumbuh load_regions``, ``tumbuh check --deploy``…
"""

import os
import sys


def gunicorn_arguments(
    extra: list[str], *, application: str = "tumbuh.wsgi", environment=None
) -> list[str]:
    """How ``tumbuh serve`` runs gunicorn, from ``environment`` (default: this process's).

    ``application`` is changed only by the load bench, to serve its hello-world view exactly the
    same way.
    """
    env = os.environ if environment is None else environment
    bind = env.get("BIND", "127.0.0.1:8000")
    # Two processes per core, two threads each: keep-alive connections stay with the process
    # that accepted them, and with one process per core a burst's connections can all land on
    # one process, leaving a core idle. On 2 cores (cached catalogue pages under wrk, 4 s runs),
    # 2 processes of 4 threads gave 650-2,020 req/s over 18 runs, 4 of 2 gave 1,690-2,070
    # over 8.
    workers = env.get("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1)))
    return [
        sys.executable,
        "-m",
        "gunicorn",
        application,
        "--bind",
        bind,
        "--workers",
        workers,
        "--threads",
        env.get("GUNICORN_THREADS", "2"),
        "--worker-class",
        "gthread",
        "--access-logfile",
        "-",
        "--forwarded-allow-ips",
        env.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        *extra,
    ]


def serve(extra: list[str]) -> None:
    """Collect static files, then replace this process with gunicorn."""
    os.environ.setdefault("DEBUG", "0")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("collectstatic", interactive=False, verbosity=0)
    arguments = gunicorn_arguments(extra)
    os.execv(arguments[0], arguments)  # noqa: S606 - a fixed program with our own arguments


# Commands of the project itself, above every app (they use several apps): a Django BaseCommand
# each, by dotted path.
PROJECT_COMMANDS = {
    "demo": "tumbuh.demo.Command",
    "backup": "tumbuh.backup.create.BackupCommand",
    "restore": "tumbuh.backup.restore.RestoreCommand",
}


def project_command(argv: list[str]) -> None:
    """Run a command of :data:`PROJECT_COMMANDS` as Django runs a management command:
    ``--settings`` and ``--pythonpath`` are read before Django is set up, then the command parses
    its options."""
    import django
    from django.core.management.base import CommandParser, handle_default_options
    from django.utils.module_loading import import_string

    early = CommandParser(add_help=False, allow_abbrev=False)
    early.add_argument("--settings")
    early.add_argument("--pythonpath")
    known, _rest = early.parse_known_args(argv[2:])
    handle_default_options(known)
    django.setup()
    command = import_string(PROJECT_COMMANDS[argv[1]])
    command().run_from_argv(argv)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumbuh.settings")
    command = argv[1] if len(argv) > 1 else "help"
    if command == "serve":
        serve(argv[2:])
        return
    if command in PROJECT_COMMANDS:
        project_command(argv)
        return
    if command == "worker":
        argv = [argv[0], "db_worker", *argv[2:]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
