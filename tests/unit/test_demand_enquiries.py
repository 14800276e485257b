"""Enquiries before offers (issue 13): who may ask and answer, one thread per listing and organisation, a
double submit recorded once, materials checked by their bytes and released only after the terms are
accepted, and a thread that becomes an offer (on the in-memory recorder)."""

from __future__ import annotations

import uuid

import pytest

from domain.demand.enquiry import Enquiry, enquiry_id
from domain.demand.materials import DEFAULT_TERMS, MAX_MATERIAL_BYTES, check_file, terms_digest
from domain.shared.errors import (
    ConflictError,
    DomainError,
    ListingNotOpenError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from marketplace.catalogue import commands as cc
from marketplace.demand import commands as ec
from tests.unit.deal_helpers import World, head, make_world
from tests.unit.demand_helpers import FAKE_PDF, pdf, png


@pytest.fixture
def world() -> World:
    return make_world()


def ask(world: World, who: str = "firm", text: str = "能否提供中试数据？", **more: object) -> uuid.UUID:
    thread, _ = world.app.enquiries.ask(ec.AskEnquiry(listing_id=world["listing"], text=text, **more),  # type: ignore[arg-type]
                                        actor_id=world[who])
    return thread


def attach(world: World, content: bytes, name: str, access: str = "public") -> str:
    key, _ = world.app.enquiries.attach_material(
        ec.AttachMaterial(listing_id=world["listing"], name=name, access=access, content=content),
        actor_id=world["uni"])
    return key


def test_an_enterprise_asks_the_seller_answers_and_the_thread_goes_on(world: World) -> None:
    thread = ask(world, kind="materials", text="请提供检测报告")
    assert thread == enquiry_id(world["listing"], world["firm_org"])
    world.app.enquiries.answer(ec.AnswerEnquiry(enquiry_id=thread, text="已上传，请接受保密条款后下载"),
                               actor_id=world["uni"])
    enquiry: Enquiry = world.get(thread)
    assert enquiry.unread_by_enquirer == 1
    world.app.enquiries.mark_read(ec.MarkEnquiryRead(enquiry_id=thread), actor_id=world["firm"])
    assert world.get(thread).unread_by_enquirer == 0
    assert ask(world, text="谢谢，另有一问") == thread  # the same organisation continues its thread
    messages = world.get(thread).messages
    assert [(m["side"], m["kind"]) for m in messages] == [
        ("enquirer", "materials"), ("seller", "question"), ("enquirer", "question")]
    assert all(isinstance(m["by"], uuid.UUID) for m in messages)  # authors by id: no names, no e-mail


def test_the_seller_cannot_enquire_about_its_own_listing_nor_a_stranger_answer(world: World) -> None:
    before = head(world.app)
    with pytest.raises(PermissionDeniedError) as own:
        ask(world, who="uni")
    assert own.value.code == "enquiry.own_listing"
    assert head(world.app) == before
    thread = ask(world)
    with pytest.raises(PermissionDeniedError) as stranger:
        world.app.enquiries.answer(ec.AnswerEnquiry(enquiry_id=thread, text="我来回答"), actor_id=world["rival"])
    assert stranger.value.code == "enquiry.not_party"
    with pytest.raises(PermissionDeniedError):  # the enquirer does not answer its own question
        world.app.enquiries.answer(ec.AnswerEnquiry(enquiry_id=thread, text="自问自答"), actor_id=world["firm"])


def test_an_unverified_organisation_cannot_enquire(world: World) -> None:
    world.sign_up("newco", "新公司", "enterprise", verify=False)
    with pytest.raises(PermissionDeniedError) as refused:
        ask(world, who="newco")
    assert refused.value.code == "organisation.unverified"


def test_a_double_submit_records_the_message_once(world: World) -> None:
    message = uuid.uuid4()
    thread = ask(world, message_id=message)
    position = head(world.app)
    assert ask(world, message_id=message) == thread
    assert head(world.app) == position
    answer = uuid.uuid4()
    for _ in range(2):
        world.app.enquiries.answer(ec.AnswerEnquiry(enquiry_id=thread, text="可以", message_id=answer),
                                   actor_id=world["uni"])
    assert len(world.get(thread).messages) == 2


def test_empty_and_overlong_messages_are_refused(world: World) -> None:
    with pytest.raises(ValidationError):
        ask(world, text="   ")
    with pytest.raises((ValidationError, Exception)):
        ask(world, text="长" * 2001)


def test_a_withdrawn_listing_takes_no_new_enquiry(world: World) -> None:
    world.app.catalogue.withdraw_listing(cc.WithdrawListing(listing_id=world["listing"]), actor_id=world["uni"])
    with pytest.raises(ListingNotOpenError):
        ask(world)


def test_files_are_checked_by_their_bytes_size_and_name() -> None:
    assert check_file("报告.pdf", pdf()) == ("报告.pdf", "application/pdf")
    assert check_file("dir/../图.PNG", png()) == ("图.PNG", "image/png")
    for name, content, code in [
        ("fake.pdf", FAKE_PDF, "material.type"),
        ("empty.pdf", b"", "material.empty"),
        ("cut.pdf", b"%PDF-1.4\n1 0 obj\n", "material.truncated"),
        ("image.pdf", png(), "material.extension"),
        ("huge.pdf", b"%PDF-1.4\n" + b"0" * MAX_MATERIAL_BYTES + b"%%EOF", "material.too_large"),
    ]:
        with pytest.raises(ValidationError) as refused:
            check_file(name, content)
        assert refused.value.code == code, name


def test_a_refused_file_records_nothing_and_keeps_nothing(world: World) -> None:
    before = head(world.app)
    with pytest.raises(ValidationError):
        attach(world, FAKE_PDF, "fake.pdf")
    assert head(world.app) == before
    assert world.app.enquiries.files.get(terms_digest("x")) is None
    assert not getattr(world.app.enquiries.files, "files", {})


def test_only_the_sellers_members_attach_and_a_file_attached_twice_is_recorded_once(world: World) -> None:
    with pytest.raises(PermissionDeniedError):
        world.app.enquiries.attach_material(
            ec.AttachMaterial(listing_id=world["listing"], name="a.pdf", content=pdf()), actor_id=world["firm"])
    key = attach(world, pdf(), "说明书.pdf")
    position = head(world.app)
    assert attach(world, pdf(), "说明书.pdf") == key
    assert head(world.app) == position
    material = world.app.enquiries.read_material(ec.ReadMaterial(listing_id=world["listing"], sha256=key),
                                                 actor_id=None)
    assert (material.name, material.media_type, material.content) == ("说明书.pdf", "application/pdf", pdf())


def test_confidential_material_is_released_only_after_the_terms_are_accepted_and_each_read_recorded(
    world: World,
) -> None:
    key = attach(world, pdf("secret"), "工艺参数.pdf", access="confidential")
    read = ec.ReadMaterial(listing_id=world["listing"], sha256=key)
    for who in (None, "firm", "rival"):
        with pytest.raises(PermissionDeniedError) as refused:
            world.app.enquiries.read_material(read, actor_id=world[who] if who else None)
        assert refused.value.code == "material.confidential"
    thread = ask(world, kind="materials", text="索取工艺参数")
    with pytest.raises(PermissionDeniedError):
        world.app.enquiries.read_material(read, actor_id=world["firm"])
    with pytest.raises(ConflictError) as changed:
        world.app.enquiries.accept_terms(ec.AcceptConfidentiality(enquiry_id=thread, terms_sha256="0" * 64),
                                         actor_id=world["firm"])
    assert changed.value.code == "enquiry.terms_changed"
    world.app.enquiries.accept_terms(
        ec.AcceptConfidentiality(enquiry_id=thread, terms_sha256=terms_digest(DEFAULT_TERMS)), actor_id=world["firm"])
    before = head(world.app)
    got = world.app.enquiries.read_material(read, actor_id=world["firm"])
    assert got.content == pdf("secret")
    assert got.position > before
    assert head(world.app) == before + 1  # the read is recorded
    assert world.app.enquiries.read_material(read, actor_id=world["uni"]).position == 0  # the seller's own
    with pytest.raises(PermissionDeniedError):
        world.app.enquiries.read_material(read, actor_id=world["rival"])
    # New terms: the earlier acceptance no longer releases anything.
    world.app.enquiries.set_terms(ec.SetConfidentialityTerms(listing_id=world["listing"], text="新的保密条款"),
                                  actor_id=world["uni"])
    with pytest.raises(PermissionDeniedError):
        world.app.enquiries.read_material(read, actor_id=world["firm"])


def test_removed_and_unknown_materials_are_not_found(world: World) -> None:
    key = attach(world, png(), "图.png")
    world.app.enquiries.remove_material(ec.RemoveMaterial(listing_id=world["listing"], sha256=key),
                                        actor_id=world["uni"])
    with pytest.raises(NotFoundError):
        world.app.enquiries.read_material(ec.ReadMaterial(listing_id=world["listing"], sha256=key), actor_id=None)


def test_the_thread_becomes_an_offer_once_while_it_is_open(world: World) -> None:
    thread = ask(world)
    make = ec.MakeOfferFromEnquiry(enquiry_id=thread, kind="assignment", price=10_000_000)
    offer, _ = world.app.enquiries.make_offer_from_enquiry(make, actor_id=world["firm"])
    assert world.get(thread).offer_ids == [offer]
    assert world.get(offer).listing_id == world["listing"]
    position = head(world.app)
    again, _ = world.app.enquiries.make_offer_from_enquiry(make, actor_id=world["firm"])
    assert again == offer
    assert head(world.app) == position
    with pytest.raises(DomainError):
        world.app.enquiries.make_offer_from_enquiry(make, actor_id=world["uni"])
