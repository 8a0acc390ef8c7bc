"""Site plans are solved by a background task: a status with its phases, heartbeat and attempts,
the error of a failed run, a cancel request and the language to write in. The solver's outcome
(optimal, time_limit, heuristic), until now in ``status``, moves to ``solver_status``; every plan
saved before this migration was solved in its request, so it is ready."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("connectivity", "0002_site_and_fact_source_indexes"),
    ]

    operations = [
        migrations.RenameField(model_name="siteplan", old_name="status", new_name="solver_status"),
        # Existing plans are ready; new ones start queued (the next operation).
        migrations.AddField(
            model_name="siteplan",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "queued"),
                    ("running", "being planned"),
                    ("ready", "ready"),
                    ("failed", "failed"),
                    ("cancelled", "cancelled"),
                ],
                default="ready",
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="siteplan",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "queued"),
                    ("running", "being planned"),
                    ("ready", "ready"),
                    ("failed", "failed"),
                    ("cancelled", "cancelled"),
                ],
                default="queued",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="siteplan",
            name="phase",
            field=models.CharField(
                blank=True,
                choices=[
                    ("preparing", "preparing the data"),
                    ("solving", "solving"),
                    ("comparing", "solving with the other solver, to compare"),
                    ("writing", "writing the results"),
                ],
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="siteplan",
            name="phase_started_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="siteplan",
            name="error_code",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name="siteplan",
            name="error",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="siteplan",
            name="language",
            field=models.CharField(blank=True, max_length=8),
        ),
        migrations.AddField(
            model_name="siteplan",
            name="cancel_requested_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="siteplan",
            name="started_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="siteplan",
            name="finished_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="siteplan",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="siteplan",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
    ]
