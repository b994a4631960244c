"""Web-form e-mails becoming prospects through the managers' rules (mail/capture/leads.py)."""

import pytest
from django.urls import reverse

from contacts.choices import Origin
from contacts.models import Prospect
from mail.capture.admin import PATTERN_REQUIRED, STEP_NOT_IN_PROCESS, LeadRuleForm
from mail.capture.filing import message_capture
from mail.models import LeadRule, Message, MessageLink
from pipeline.models import AutomationRule, Opportunity
from tests import factories as f
from tests.mail.mails import eml

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mail_media")]

FORM = """Nouvelle demande de contact

Civilité : Madame
Nom : Bernard
Prénom : Chloé
Société : Bernard Rénovation
E-mail : chloe@bernard-renovation.fr
Téléphone : 06 12 34 56 78
Code postal : 69003
Ville : Lyon
Message : Je voudrais un devis
pour une véranda.
"""


@pytest.fixture
def rule(rep):
    process = f.ProcessFactory()
    f.StepFactory(process=process, label="New lead", position=1)
    call_back = f.StepFactory(process=process, label="Call back", position=2)
    return LeadRule.objects.create(
        name="Site web",
        sender_pattern="noreply@monsite.fr",
        process=process,
        step=call_back,
        owner=rep,
        channel=f.ChannelFactory(name="Site web"),
    )


def capture(raw):
    return message_capture(raw=raw, source=Message.Source.MAILBOX).message


def test_a_matching_web_form_becomes_a_prospect_in_the_rules_process_and_step(rule, rep):
    message = capture(
        eml(
            sender="Mon site <noreply@monsite.fr>",
            to=["capture@jalon.test"],
            subject="Devis véranda",
            text=FORM,
        )
    )
    prospect = Prospect.objects.get()
    assert (prospect.last_name, prospect.first_name, prospect.email) == (
        "Bernard",
        "Chloé",
        "chloe@bernard-renovation.fr",
    )
    assert prospect.company_name == "Bernard Rénovation" and prospect.city == "Lyon"
    assert prospect.owner == rep and prospect.channel == rule.channel
    assert (prospect.origin, prospect.origin_detail) == (Origin.EMAIL, "Devis véranda")
    opportunity = Opportunity.objects.get(prospect=prospect)
    assert opportunity.process == rule.process and opportunity.step == rule.step
    assert opportunity.owner == rep
    links = MessageLink.objects.filter(message=message)
    assert {link.prospect or link.opportunity for link in links} == {prospect, opportunity}
    message.refresh_from_db()
    assert message.owner == rep and message.filed


def test_an_existing_prospect_with_the_address_gets_the_message_instead(rule, rep):
    existing = f.ProspectFactory(mobile="", email="Chloe@Bernard-Renovation.fr", owner=rep)
    message = capture(eml(sender="noreply@monsite.fr", text=FORM))
    assert Prospect.objects.count() == 1
    assert MessageLink.objects.filter(message=message, prospect=existing).exists()


def test_an_existing_prospect_with_the_same_name_and_company_is_a_duplicate(rule, rep):
    existing = f.ProspectFactory(
        mobile="",
        email="",
        last_name="BERNARD",
        first_name="Chloé",
        company_name="Bernard Rénovation",
    )
    capture(
        eml(
            sender="noreply@monsite.fr",
            text=FORM.replace("E-mail : chloe@bernard-renovation.fr\n", ""),
        )
    )
    assert list(Prospect.objects.all()) == [existing]


def test_a_rule_by_subject(rule):
    rule.sender_pattern, rule.subject_pattern = "", "[Formulaire]"
    rule.save()
    capture(eml(sender="web@ailleurs.fr", subject="[Formulaire] contact", text=FORM))
    assert Prospect.objects.filter(email="chloe@bernard-renovation.fr").exists()


def test_an_inactive_rule_or_another_sender_does_nothing(rule):
    capture(eml(sender="autre@monsite.fr", text=FORM))
    rule.active = False
    rule.save()
    capture(eml(sender="noreply@monsite.fr", text=FORM))
    assert not Prospect.objects.exists()


def test_the_same_form_captured_twice_makes_one_prospect(rule):
    raw = eml(sender="noreply@monsite.fr", text=FORM, message_id="<form-1@monsite.fr>")
    capture(raw)
    capture(raw)
    assert Prospect.objects.count() == 1 and Opportunity.objects.count() == 1


def test_received_mail_on_an_opportunity_runs_the_email_received_automation(rep):
    process = f.ProcessFactory()
    first = f.StepFactory(process=process, position=1)
    answered = f.StepFactory(process=process, position=2, label="Answered")
    AutomationRule.objects.create(
        process=process, event=AutomationRule.Event.EMAIL_RECEIVED, target_step=answered
    )
    prospect = f.ProspectFactory(mobile="", email="client@client.fr", owner=rep)
    opportunity = f.OpportunityFactory(prospect=prospect, process=process, step=first, owner=rep)
    capture(eml(sender="client@client.fr", to=[rep.email]))
    opportunity.refresh_from_db()
    assert opportunity.step == answered


def test_the_admin_form_needs_a_pattern_and_a_step_of_the_process(rule):
    other_step = f.StepFactory()
    form = LeadRuleForm(
        data={"name": "x", "process": rule.process.pk, "step": other_step.pk, "position": 0}
    )
    assert not form.is_valid()
    assert str(PATTERN_REQUIRED) in form.non_field_errors()
    assert str(STEP_NOT_IN_PROCESS) in form.errors["step"]


def test_managers_manage_lead_rules_in_the_admin(manager_client, rule):
    assert manager_client.get(reverse("admin:mail_leadrule_changelist")).status_code == 200
    change = manager_client.get(reverse("admin:mail_leadrule_change", args=[rule.pk]))
    assert "Site web" in change.content.decode()
    assert manager_client.get(reverse("admin:mail_mailboxstatus_changelist")).status_code == 200


def test_reps_do_not_reach_the_lead_rules(rep_client):
    response = rep_client.get(reverse("admin:mail_leadrule_changelist"))
    assert response.status_code in (302, 403)
