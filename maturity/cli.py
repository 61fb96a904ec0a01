"""Command-line tools: ``flask maturity …``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Blueprint, Flask, current_app

from maturity.config import questionnaire_dir
from maturity.extensions import db
from maturity.models import Organisation
from maturity.services.settings import Settings

bp = Blueprint("maturity", __name__, cli_group="maturity")


def register(app: Flask) -> None:
    """Attach the ``flask maturity`` command group."""
    app.register_blueprint(bp)


@bp.cli.command("load-reference-data")
def load_reference_data() -> None:
    """Load England's nine regions (idempotent)."""
    from maturity.services.directory import load_directory_file
    from maturity.services.reference import load_regions

    added, updated = load_regions()
    entries, kept = load_directory_file()
    db.session.commit()
    click.echo(f"Regions: {added} added, {updated} updated.")
    click.echo(f"Practice directory: {entries} added, {kept} already there (kept as edited).")


@bp.cli.command("create-admin")
@click.option("--email", required=True, help="The administrator's email address.")
@click.option("--name", required=True, help="The administrator's full name.")
@click.password_option("--password", help="At least 12 characters; prompted if not given.")
def create_admin(email: str, name: str, password: str) -> None:
    """Create an administrator (or make an existing user one)."""
    from maturity.services.accounts import AccountError
    from maturity.services.accounts import create_admin as make_admin

    try:
        user = make_admin(email, name, password, Settings.from_config(current_app.config).hashing)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"{user.email} is an administrator.")


@bp.cli.command("seed-demo")
@click.option(
    "--scale",
    type=click.Choice(["demo", "national"]),
    default="demo",
    show_default=True,
    help="national also adds 300 fictional academies with 10 submitted cycles each.",
)
@click.option(
    "--organisations",
    type=int,
    default=300,
    show_default=True,
    help="With --scale national: how many academies.",
)
@click.option(
    "--cycles",
    type=int,
    default=10,
    show_default=True,
    help="With --scale national: how many cycles each.",
)
def seed_demo(scale: str, organisations: int, cycles: int) -> None:
    """Add the fictional demo organisations and accounts (idempotent; not in production)."""
    if current_app.config["MATURITY_ENV"] == "production":
        raise click.ClickException(
            "seed-demo creates accounts with a published password; it does not run with "
            "MATURITY_ENV=production."
        )
    from maturity.services.demo import DEMO_PASSWORD
    from maturity.services.demo import seed_demo as seed
    from maturity.services.directory import load_directory_file
    from maturity.services.reference import load_regions

    load_regions()
    load_directory_file()
    accounts = seed(Settings.from_config(current_app.config).hashing)
    db.session.commit()
    if scale == "national":
        from maturity.services.scale import seed_national

        summary = seed_national(organisations, cycles)
        db.session.commit()
        click.echo(
            f"National scale: {summary.organisations} fictional academies, "
            f"{summary.assessments} submitted assessments, {summary.answers} answers."
        )
    from maturity.services.scale import refresh_statistics

    refresh_statistics()  # after a bulk load, as PostgreSQL's manual advises
    click.echo("Demo data ready. Every demo organisation and figure is fictional.")
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for email, role in accounts:
        click.echo(f"  {email:40} {role}")


@bp.cli.command("draw-charts")
@click.option(
    "--latest-only",
    is_flag=True,
    help="Only each organisation's latest submitted assessment (and every dashboard).",
)
def draw_charts(latest_only: bool) -> None:
    """Draw every chart ahead of its first view, into the chart store: submitted
    assessments' results, regions' dashboards, impact trends and reports. Charts already
    stored are not drawn again. Run it after loading data another way than the service's
    pages (submissions draw their own) or after a change to the drawing code."""
    from maturity.web.drawing import draw_charts as draw

    drawn = draw(latest_only=latest_only, progress=click.echo)
    click.echo(
        f"Charts ready: {drawn.assessments} assessments, {drawn.regions} regional "
        f"dashboards, {drawn.organisations} organisations' impact charts."
    )


@bp.cli.command("send-reminders")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Run as if it were this day (YYYY-MM-DD); today by default.",
)
def send_reminders(today: datetime | None) -> None:
    """Email deadline reminders (28, 7 and 1 days before) to the leads of organisations
    that have not submitted. Run it daily from cron; a reminder is never sent twice."""
    from flask import url_for

    from maturity.services.cycles import send_reminders as send

    settings = Settings.from_config(current_app.config)

    def link_for(organisation: Organisation) -> str:
        with current_app.test_request_context():
            path = url_for("orgs.overview", slug=organisation.slug)
        return settings.service_url.rstrip("/") + path

    run = send((today or datetime.now(UTC)).date(), settings, link_for)
    db.session.commit()
    click.echo(
        f"Reminders: {run.sent} sent, {run.already} already sent before, "
        f"{run.not_sent} not taken by the mail server (tried again next run)."
    )
    if run.not_sent:
        raise SystemExit(1)


# --- Questionnaire files: no app, no settings ----------------------------------------------
# These commands only read files, so they run without SECRET_KEY or a database: as
# ``maturity questionnaire …`` (the console script) and as ``flask maturity questionnaire …``.


@click.group("questionnaire", help="Check and inspect questionnaire files.")
def questionnaire_group() -> None:
    pass


@click.group(help="Academy Maturity's commands that need no app settings.")
def main() -> None:
    pass


main.add_command(questionnaire_group)
bp.cli.add_command(questionnaire_group)


@questionnaire_group.command("validate")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate_questionnaires(files: tuple[Path, ...]) -> None:
    """Validate questionnaire files (every file in the questionnaire folder if none given).

    Exits non-zero, listing every problem with its file and path, if any file is invalid.
    """
    from maturity.framework.loader import (
        QuestionnaireError,
        is_changelog,
        load_changelog,
        load_directory,
        load_file,
    )

    failures = 0
    if files:
        for path in files:
            try:
                if is_changelog(path):
                    # A changelog is checked against the questionnaires beside it.
                    changelog = load_changelog(path)
                    load_directory(path.parent)
                    click.echo(f"{path}: valid (changelog {changelog.label})")
                    continue
                loaded = load_file(path)
            except QuestionnaireError as error:
                failures += 1
                click.echo(str(error), err=True)
            else:
                click.echo(f"{path}: valid ({loaded.id} version {loaded.version})")
    else:
        try:
            catalogue = load_directory(questionnaire_dir())
        except QuestionnaireError as error:
            failures += 1
            click.echo(str(error), err=True)
        else:
            for loaded in catalogue.all():
                click.echo(
                    f"{catalogue.path_of(loaded.id, loaded.version)}: valid "
                    f"({loaded.id} version {loaded.version})"
                )
                for changelog in catalogue.changelogs(loaded.id):
                    if changelog.version == loaded.version:
                        click.echo(f"  and its changelog {changelog.label}: valid")
    if failures:
        raise click.ClickException(f"{failures} validation failure(s)")


@questionnaire_group.command("show")
@click.argument("questionnaire_id")
@click.option("--version", "version", default=None, help="A version; the latest if not given.")
def show_questionnaire(questionnaire_id: str, version: str | None) -> None:
    """Print a questionnaire as a readable outline: domains, indicators and levels."""
    from maturity.framework.loader import load_directory
    from maturity.framework.outline import outline

    catalogue = load_directory(questionnaire_dir())
    try:
        found = (
            catalogue.get(questionnaire_id, version)
            if version
            else catalogue.latest(questionnaire_id)
        )
    except KeyError as error:
        raise click.ClickException(
            f"No questionnaire {questionnaire_id!r}{' version ' + version if version else ''}"
        ) from error
    click.echo(outline(found))


if __name__ == "__main__":
    main()


@bp.cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
def worker(burst: bool) -> None:
    """Run the job queue's jobs (PDFs, a submission's charts, emails) until stopped.

    Needs REDIS_URL, the same as the web workers'. Run one or more beside gunicorn.
    """
    from maturity.jobs import jobs

    queue = jobs()
    if queue.inline:
        raise click.ClickException(
            "No job queue to work on: set REDIS_URL (and not JOBS_INLINE); without Redis "
            "jobs run inside the web process and need no worker."
        )
    click.echo("Academy Maturity worker: running jobs from the queue (Ctrl+C stops).")
    queue.work(burst=burst)
