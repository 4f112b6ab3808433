"""Email leaves through the task queue, never inside the request."""

import threading
from types import SimpleNamespace

import pytest
from asgiref.sync import async_to_sync
from django.core import mail
from django.db import connection
from django.urls import reverse
from procrastinate.contrib.django import app as procrastinate_app
from procrastinate.contrib.django.django_connector import DjangoConnector
from procrastinate.contrib.django.models import ProcrastinateJob

from kit.tasks import email_message_send, jobs_retry_stalled


@pytest.mark.django_db
def test_signup_email_is_deferred_then_sent_by_the_queue(client, task_queue):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@libraries.example",
            "display_name": "Nell New",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 302
    assert mail.outbox == []  # nothing sent inside the request
    assert len(task_queue.jobs("email_message_send")) == 1

    task_queue.run_all()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@libraries.example"]
    assert "/accounts/confirm-email/" in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_jobs_stored_in_postgresql():
    # the suite defers into memory by default; here jobs go through PostgreSQL like in production
    connector = DjangoConnector()
    with procrastinate_app.replace_connector(connector):
        email_message_send.defer(
            subject="Hello", body="From the worker", to=["someone@libraries.example"]
        )
    assert ProcrastinateJob.objects.get().status == "todo"

    # what `manage.py procrastinate worker` does: its own async psycopg connection
    with procrastinate_app.replace_connector(connector.get_worker_connector()) as app:
        # a thread of its own: browser tests may leave an event loop running in this one
        worker = threading.Thread(
            target=app.run_worker,
            kwargs={
                "wait": False,
                "install_signal_handlers": False,
                "listen_notify": False,
                "queues": ["email"],  # not the periodic jobs it may defer on the way
            },
        )
        worker.start()
        worker.join(timeout=30)

    # (the worker may also defer periodic tasks that are due, e.g. the meetup reminders)
    assert ProcrastinateJob.objects.get(task_name=email_message_send.name).status == "succeeded"
    assert [message.subject for message in mail.outbox] == ["Hello"]


@pytest.mark.django_db(transaction=True)
def test_jobs_left_running_by_a_stopped_worker_are_queued_again():
    """A worker that lost the database mid-job leaves it "doing"; the periodic task puts it
    back in the queue, and leaves alone the jobs of a worker that is still alive."""
    connector = DjangoConnector()
    with procrastinate_app.replace_connector(connector) as app:
        lost, running = (
            email_message_send.defer(subject=subject, body="", to=["someone@libraries.example"])
            for subject in ("lost", "running")
        )
        with connection.cursor() as cursor:
            for job_id, heartbeat in ((lost, "2 minutes"), (running, "1 second")):
                cursor.execute(
                    "INSERT INTO procrastinate_workers (last_heartbeat) "
                    "VALUES (now() - %s::interval) RETURNING id",
                    [heartbeat],
                )
                cursor.execute(
                    "UPDATE procrastinate_jobs SET status = 'doing', worker_id = %s WHERE id = %s",
                    [cursor.fetchone()[0], job_id],
                )

        retried = async_to_sync(jobs_retry_stalled.func)(SimpleNamespace(app=app), timestamp=0)

    assert retried == 1
    assert ProcrastinateJob.objects.get(pk=lost).status == "todo"
    assert ProcrastinateJob.objects.get(pk=running).status == "doing"


def test_stalled_jobs_are_looked_for_periodically():
    periodic = [p.task.name for p in procrastinate_app.periodic_registry.periodic_tasks.values()]
    assert jobs_retry_stalled.name in periodic
