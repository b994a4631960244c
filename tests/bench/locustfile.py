"""Locust scenario: sales reps browsing lists, opening cards, moving cards, completing tasks.

Run through `python -m tests.bench.load_test`, which prepares the database and the server.
"""

import json
import os
import random
import re

from locust import FastHttpUser, between, task

LOGGED_IN = {"count": 0, "done": 0, "failed": 0}

IDS = json.loads(os.environ.get("JALON_LOAD_IDS", "{}"))
CARD = re.compile(r'data-opportunity="(\d+)"[^>]*data-version="(\d+)"')
COLUMN = re.compile(r'data-column="(\w+)"')
TASK = re.compile(r"/tasks/(\d+)/done/")
TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


class SalesRep(FastHttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self):
        self.username = f"load{random.randint(1, 50):02d}"
        # Each rep from their own address, through the HTTPS proxy load_test.py trusts
        # (TRUSTED_PROXY_COUNT=1, as in production): not 50 logins from one address, which the
        # login rate limit per address refuses beyond 30 a minute.
        LOGGED_IN["count"] += 1
        number = LOGGED_IN["count"]
        self.client.client.default_headers["X-Forwarded-For"] = (
            f"10.20.{number // 250}.{number % 250 + 1}"
        )
        page = self.client.get("/accounts/login/", name="login page")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        with self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": "jalon-demo", "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="login",
            catch_response=True,
        ) as response:
            # Refused (429) or sent back to the form: the rep would browse the login page only.
            if response.status_code != 200 or 'name="password"' in (response.text or ""):
                response.failure("not logged in")
                LOGGED_IN["failed"] += 1
        # The steady state starts once every simulated rep has logged in: the 50 password
        # hashes of the ramp-up are not the daily load. A refused login keeps the statistics
        # of the ramp-up, where it shows as an error.
        LOGGED_IN["done"] += 1
        if (
            LOGGED_IN["done"] == self.environment.parsed_options.num_users
            and not (LOGGED_IN["failed"])
        ):
            self.environment.runner.stats.reset_all()
            if os.environ.get("JALON_LOAD_MARK"):  # load_test.py measures CPU from here
                with open(os.environ["JALON_LOAD_MARK"], "w"):
                    pass

    def csrf(self, page) -> dict:
        """htmx's headers: the CSRF token every page carries in <body hx-headers>."""
        match = TOKEN.search(page.text or "")
        return {
            "X-CSRFToken": match.group(1) if match else "",
            "HX-Request": "true",
            "Referer": f"{self.host}/",
        }

    @task(4)
    def browse_lists(self):
        path, name = random.choice(
            [
                ("/", "dashboard"),
                ("/prospects/", "prospect list"),
                ("/companies/", "company list"),
                ("/tasks/", "agenda"),
                ("/people/", "people list"),
                (f"/pipeline/{IDS['process']}/steps/", "step list"),
                ("/prospects/?q=" + random.choice(["du", "ma", "le", "be"]), "prospect search"),
                ("/companies/?q=" + random.choice(["sa", "du", "75", "ro"]), "company search"),
            ]
        )
        self.client.get(path, name=name)

    @task(3)
    def open_cards(self):
        if random.random() < 0.5:
            self.client.get(f"/prospects/{random.choice(IDS['prospects'])}/", name="prospect card")
        else:
            self.client.get(
                f"/opportunities/{random.choice(IDS['opportunities'])}/", name="opportunity card"
            )

    @task(2)
    def move_a_card(self):
        board = self.client.get(f"/pipeline/{IDS['process']}/board/", name="board")
        text = board.text or ""  # None when the request failed (counted as such)
        columns = [c for c in dict.fromkeys(COLUMN.findall(text)) if c.isdigit()]
        cards = CARD.findall(text)
        if not cards or len(columns) < 2:
            return
        opportunity, version = random.choice(cards)
        self.client.post(
            f"/pipeline/{IDS['process']}/board/move/",
            {
                "opportunity": opportunity,
                "version": version,
                "column": random.choice(columns),
                "from": "",
                "prev": "",
                "next": "",
            },
            headers=self.csrf(board),
            name="board move",
        )

    @task(2)
    def complete_a_task(self):
        agenda = self.client.get("/tasks/", name="agenda")
        ids = TASK.findall(agenda.text or "")
        if ids:
            self.client.post(
                f"/tasks/{random.choice(ids)}/done/",
                data={},
                headers=self.csrf(agenda),
                name="task done",
            )
