"""No open relay in any configuration: every SMTP listener of `maillab serve` (the single server
and every scenario in scenarios/) refuses to relay for a client that has not authenticated,
including the address tricks open relays were once caught by (percent hack, source route,
a trailing dot). Nothing may be queued for the foreign domain.

No scenario asks for an open relay, and maillab has no setting that makes one: if one is ever
added, a scenario that asks for it must be listed in ALLOWED_OPEN_RELAY below, on purpose.
"""

from __future__ import annotations

import smtplib
import unittest
from pathlib import Path

from maillab_server import LOCALHOST, MaillabServer, unverified_tls
from test_scenario_serve import SCENARIOS, ScenarioServer

FOREIGN = "victim@relay-target.invalid"
TRICKS = [
    FOREIGN,
    "victim@RELAY-TARGET.INVALID",
    "victim@relay-target.invalid.",
    "@{local}:victim@relay-target.invalid",  # RFC 5321 4.1.1.3 source route
    "victim%relay-target.invalid@{local}",   # the percent hack
    '"victim@relay-target.invalid"@{local}',
]
ALLOWED_OPEN_RELAY: set[str] = set()
SMTP_SERVICES = {"smtp", "submission", "smtps"}


def attempt_relay(test: unittest.TestCase, port: int, implicit_tls: bool, local_domain: str,
                  where: str) -> None:
    cls = smtplib.SMTP_SSL if implicit_tls else smtplib.SMTP
    kwargs = {"context": unverified_tls()} if implicit_tls else {}
    with cls(LOCALHOST, port, timeout=10, **kwargs) as c:
        c.ehlo("mallory.invalid")
        for rcpt in TRICKS:
            rcpt = rcpt.format(local=local_domain)
            code, _ = c.mail("mallory@evil.invalid")
            if code >= 500:  # submission without AUTH refuses MAIL already (530): no relay
                test.assertIn(code, (530, 550, 553, 554), f"{where}: MAIL answered {code}")
                continue
            code, text = c.rcpt(f"<{rcpt}>" if not rcpt.startswith("<") else rcpt)
            test.assertGreaterEqual(code, 500,
                                    f"{where}: RCPT TO:<{rcpt}> without AUTH got {code} {text!r}")
            c.rset()


class NoOpenRelay(unittest.TestCase):
    def test_single_server_refuses_to_relay_on_smtp_and_smtps(self):
        with MaillabServer(smtp=True, smtps=True) as srv:
            attempt_relay(self, srv.smtp_port, False, "example.org", "serve smtp")
            attempt_relay(self, srv.smtps_port, True, "example.org", "serve smtps")
            self.assertEqual(srv.events(kind="queue"), [])
            refused = srv.events(kind="note", explain="smtp.note.relay_denied")
            self.assertGreaterEqual(len(refused), 2)

    def test_every_scenario_refuses_to_relay_on_every_smtp_listener(self):
        scenarios = sorted(Path(SCENARIOS).glob("*.json"))
        self.assertGreater(len(scenarios), 0)
        for scenario in scenarios:
            if scenario.stem in ALLOWED_OPEN_RELAY:
                continue
            with self.subTest(scenario=scenario.name), ScenarioServer(scenario) as srv:
                tried = 0
                for (host, service), port in srv.ports.items():
                    if service not in SMTP_SERVICES:
                        continue
                    local = host.split(".", 1)[1] if "." in host else host
                    attempt_relay(self, port, service == "smtps", local,
                                  f"{scenario.name} {host} {service}")
                    tried += 1
                self.assertGreater(tried, 0, f"{scenario.name}: no SMTP listener found")
                queued = [e for e in srv.trace.refresh() if e.get("kind") == "queue"
                          and "relay-target" in str(e)]
                self.assertEqual(queued, [], f"{scenario.name}: something was queued")


if __name__ == "__main__":
    unittest.main()
