"""An administrator's saved change is answered as saved, even if the database dies right then."""

from tests.factories import make_staff


def test_changes_are_answered_without_reading_after_their_commit(admin_client, gone_after_commit):
    official = make_staff(role="official")
    steps = [
        ("/admin/holidays", {"day": "2026-11-18", "kind": "day_off", "note": "Decree 1"}),
        (f"/admin/users/{official.id}/invite", {}),
        (f"/admin/users/{official.id}/deactivate", {}),
        (f"/admin/users/{official.id}/reactivate", {}),
        ("/admin/api-keys", {"name": "Document system", "user": official.email}),
    ]
    for url, data in steps:
        gone_after_commit.armed, gone_after_commit.committed = True, False
        answer = admin_client.post(url, data=data)
        gone_after_commit.armed = gone_after_commit.committed = False
        assert answer.status_code in (201, 302), (url, answer.get_data(as_text=True)[:200])
