"""Uploads: images in, metadata out, privacy, hostile files and names, and files on disk."""

import functools
import io
import os
import re
import resource
import struct
import time
import zlib

import pytest
from argon2 import PasswordHasher
from PIL import Image, PngImagePlugin

import plugins.uploads
import uploads_probe
from core.plugins import first_async
from plugins.uploads.storage import ORPHAN_MIN_AGE_SECONDS

pytestmark = pytest.mark.anyio

UPLOADS = "/api/v1/uploads"
STORED_NAME = re.compile(r"[0-9a-f]{32}\.(jpg|png|gif|webp)")


@pytest.fixture
def didhub_extra_plugins():
    return [uploads_probe]


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    """Sign-ins at argon2's lowest cost: these tests are about files, not passwords."""
    monkeypatch.setattr("plugins.accounts.passwords.HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


# --- images made for the tests ---------------------------------------------------------------


def jpeg_with_gps(size=(40, 20)):
    """A JPEG with GPS, camera and orientation (rotate 90°) EXIF and a comment."""
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 1.0)}  # GPS IFD
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, "JPEG", exif=exif, comment=b"diary entry")
    return out.getvalue()


def png(size=(8, 8), color="blue", **options):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG", **options)
    return out.getvalue()


@functools.cache
def png_bomb():
    """A 20000 × 20000 PNG (400 million pixels) that compresses to a few hundred KB."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor = zlib.compressobj(6)
    row = bytes(20001)  # filter byte + one byte per grey pixel
    idat = b"".join(compressor.compress(row) for _ in range(20000)) + compressor.flush()
    header = struct.pack(">IIBBBBB", 20000, 20000, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def multipart(parts, boundary="didhub-test-boundary"):
    """A body written byte for byte, for headers httpx would escape: [(disposition, bytes)]."""
    body = b""
    for disposition, content in parts:
        body += b"--" + boundary.encode() + b"\r\nContent-Disposition: " + disposition + b"\r\n\r\n" + content + b"\r\n"
    body += b"--" + boundary.encode() + b"--\r\n"
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


# --- helpers -----------------------------------------------------------------------------------


def upload_dir(didhub):
    return didhub.app.state.services.upload_dir


def stored_files(didhub):
    return sorted(path.name for path in upload_dir(didhub).iterdir())


async def upload(client, user, data, filename="image.png", content_type="image/png", **fields):
    return await client.post(UPLOADS, files={"file": (filename, data, content_type)}, data=fields, headers=user.headers)


async def created(client, user, data=None, **kwargs):
    response = await upload(client, user, png() if data is None else data, **kwargs)
    assert response.status_code == 201, response.text
    return response.json()


async def upload_count(didhub):
    return await didhub.db.fetch_val("uploads_probe.upload_count")


# --- what is stored --------------------------------------------------------------------------


async def test_a_jpeg_loses_its_exif_and_gps_and_its_type_comes_from_the_bytes(client, didhub):
    ann = await didhub.create_user("ann")
    original = jpeg_with_gps()
    assert b"Exif" in original and b"SecretCam" in original
    response = await upload(client, ann, original, filename="photo.html", content_type="text/html", alt_text="A red card")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["mime_type"] == "image/jpeg"
    assert STORED_NAME.fullmatch(body["filename"]) and body["filename"].endswith(".jpg")
    assert body["original_filename"] == "photo.html"
    assert body["url"] == f"{UPLOADS}/{body['id']}/content"
    assert (body["user_id"], body["alt_text"], body["is_public"]) == (ann.id, "A red card", False)
    assert body["created_at"].endswith("Z")

    stored = (upload_dir(didhub) / body["filename"]).read_bytes()
    assert body["file_size"] == len(stored)
    served = await client.get(body["url"], headers=ann.headers)
    assert served.status_code == 200
    assert served.content == stored
    for data in (stored, served.content):
        for secret in (b"Exif", b"SecretCam", b"diary entry"):
            assert secret not in data
        image = Image.open(io.BytesIO(data))
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        # the orientation was applied to the pixels before the EXIF went
        assert image.size == (20, 40)
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["content-length"] == str(len(stored))
    assert served.headers["x-content-type-options"] == "nosniff"

    assert (await client.get(f"{UPLOADS}/{body['id']}", headers=ann.headers)).json() == body
    audit = await didhub.db.fetch_all("uploads_probe.upload_audit_rows")
    assert [(row["action"], row["entity_id"]) for row in audit] == [("upload.create", body["id"])]
    assert audit[0]["details"]["filename"] == body["filename"]


async def test_png_text_chunks_are_dropped_and_transparency_and_animation_kept(client, didhub):
    ann = await didhub.create_user("ann")
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Jane Secret")
    palette = Image.new("P", (6, 6), 1)
    palette.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255])
    palette.paste(2, (0, 0, 3, 3))
    translucent = Image.new("RGBA", (6, 6), (255, 0, 0, 0))
    translucent.paste((0, 0, 255, 128), (0, 0, 3, 3))
    for picture, options in ((palette, {"transparency": 1}), (translucent, {})):
        out = io.BytesIO()
        picture.save(out, "PNG", pnginfo=info, **options)
        body = await created(client, ann, out.getvalue())
        stored = (upload_dir(didhub) / body["filename"]).read_bytes()
        assert b"Jane Secret" not in stored
        # the same pixels, transparency included
        pixels = Image.open(io.BytesIO(out.getvalue())).convert("RGBA").tobytes()
        assert Image.open(io.BytesIO(stored)).convert("RGBA").tobytes() == pixels

    frames = [Image.new("RGB", (10, 10), color) for color in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=[100, 200, 300], loop=0, comment=b"hi")
    body = await created(client, ann, out.getvalue(), filename="dance.gif")
    assert body["mime_type"] == "image/gif"
    stored = (upload_dir(didhub) / body["filename"]).read_bytes()
    gif = Image.open(io.BytesIO(stored))
    assert gif.n_frames == 3 and b"hi" not in stored.split(b"NETSCAPE")[0][13:]
    durations = []
    for index in range(3):
        gif.seek(index)
        durations.append(gif.info["duration"])
    assert durations == [100, 200, 300]


# --- what is refused -------------------------------------------------------------------------


async def test_html_renamed_png_is_415_and_leaves_nothing(client, didhub):
    ann = await didhub.create_user("ann")
    response = await upload(client, ann, b"<html><script>alert(1)</script></html>", filename="cat.png")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert await upload_count(didhub) == 0
    assert stored_files(didhub) == []


async def test_types_outside_the_allowed_list_are_415(client, didhub):
    ann = await didhub.create_user("ann")
    admin = await didhub.admin()
    changed = await client.put("/api/v1/settings/uploads.allowed_types", json={"value": ["image/jpeg"]}, headers=admin.headers)
    assert changed.status_code == 200, changed.text
    assert (await upload(client, ann, png())).status_code == 415
    assert (await upload(client, ann, jpeg_with_gps())).status_code == 201
    refused = await client.put("/api/v1/settings/uploads.allowed_types", json={"value": ["text/html"]}, headers=admin.headers)
    assert refused.status_code == 400


async def test_one_byte_over_max_bytes_is_413_and_leaves_no_row_and_no_file(client, didhub):
    ann = await didhub.create_user("ann")
    admin = await didhub.admin()
    image = png()
    limit = await client.put("/api/v1/settings/uploads.max_bytes", json={"value": len(image)}, headers=admin.headers)
    assert limit.status_code == 200, limit.text
    exact = await created(client, ann, image)
    before = stored_files(didhub)
    assert before == [exact["filename"]]

    response = await upload(client, ann, image + b"\x00")
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert await upload_count(didhub) == 1
    assert stored_files(didhub) == before


async def test_a_content_length_over_the_limit_is_refused_before_reading(client, didhub):
    ann = await didhub.create_user("ann")
    admin = await didhub.admin()
    await client.put("/api/v1/settings/uploads.max_bytes", json={"value": 1000}, headers=admin.headers)
    read = []

    async def body():
        read.append(True)
        yield b"x" * 1024

    headers = {**ann.headers, "Content-Type": "multipart/form-data; boundary=x", "Content-Length": str(10 * 1024 * 1024)}
    response = await client.post(UPLOADS, content=body(), headers=headers)
    assert response.status_code == 413
    assert read == []
    assert stored_files(didhub) == []


async def test_a_decompression_bomb_is_refused_from_its_header(client, didhub):
    ann = await didhub.create_user("ann")
    bomb = png_bomb()
    assert len(bomb) < 1024 * 1024
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    response = await upload(client, ann, bomb)
    peak_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert response.status_code == 400
    assert response.json()["code"] == "validation_failed"
    assert "pixels" in response.json()["detail"]
    # decoding it would take 400 MB
    assert peak_after - peak_before < 100 * 1024
    assert await upload_count(didhub) == 0
    assert stored_files(didhub) == []


async def test_truncated_empty_and_malformed_uploads_are_400(client, didhub):
    ann = await didhub.create_user("ann")
    frames = [Image.new("RGB", (20, 20), color) for color in ("red", "green")]
    gif = io.BytesIO()
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:])
    for original in (jpeg_with_gps(size=(200, 200)), gif.getvalue()):
        truncated = await upload(client, ann, original[: len(original) * 2 // 3])
        assert truncated.status_code == 400 and "truncated" in truncated.json()["detail"]
    assert (await upload(client, ann, b"")).status_code == 400
    unknown = await client.post(UPLOADS, files={"file": ("a.png", png())}, data={"owner": "1"}, headers=ann.headers)
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "owner"
    bad_flag = await client.post(UPLOADS, files={"file": ("a.png", png())}, data={"is_public": "maybe"}, headers=ann.headers)
    assert bad_flag.status_code == 400 and bad_flag.json()["errors"][0]["field"] == "is_public"
    no_file = await client.post(UPLOADS, files={"alt_text": (None, b"hi")}, headers=ann.headers)
    assert no_file.status_code == 400 and no_file.json()["errors"][0]["field"] == "file"
    body, headers = multipart([(b'form-data; name="file"; filename="a.png"', png())])
    cut = await client.post(UPLOADS, content=body[:-20], headers={**ann.headers, **headers})
    assert cut.status_code == 400
    body, headers = multipart([(b'form-data; name="file"; filename="a.png"', png())], boundary="b" * 300)
    assert (await client.post(UPLOADS, content=body, headers={**ann.headers, **headers})).status_code == 400
    not_a_form = await client.post(UPLOADS, content=png(), headers={**ann.headers, "Content-Type": "image/png"})
    assert not_a_form.status_code == 415
    assert (await client.post(UPLOADS, files={"file": ("a.png", png())})).status_code == 401
    assert await upload_count(didhub) == 0
    assert stored_files(didhub) == []


# --- who may see what ------------------------------------------------------------------------


async def test_private_uploads_are_404_to_others_and_public_ones_open_to_anyone(client, didhub):
    ann = await didhub.create_user("ann")
    bob = await didhub.create_user("bob")
    admin = await didhub.admin()
    private = await created(client, ann)
    public = await created(client, ann, png(color="green"), is_public="true")
    assert (private["is_public"], public["is_public"]) == (False, True)

    for path in (f"{UPLOADS}/{private['id']}", private["url"]):
        for headers in (bob.headers, {}):
            response = await client.get(path, headers=headers)
            assert response.status_code == 404 and response.json()["code"] == "not_found"
        assert (await client.get(path, headers=admin.headers)).status_code == 200
    assert (await client.get(f"{UPLOADS}/999999", headers=ann.headers)).status_code == 404
    assert (await client.get(private["url"], headers={"Authorization": "Bearer nonsense"})).status_code == 401

    anonymous = await client.get(public["url"])
    assert anonymous.status_code == 200
    assert anonymous.content == (upload_dir(didhub) / public["filename"]).read_bytes()
    assert anonymous.headers["cache-control"] == "public, no-cache"
    assert (await client.get(f"{UPLOADS}/{public['id']}")).json() == public

    owner_view = await client.get(private["url"], headers=ann.headers)
    assert owner_view.headers["cache-control"] == "private, no-cache"
    etag = owner_view.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = await client.get(private["url"], headers={**ann.headers, "If-None-Match": f'"other", {etag}'})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert (await client.get(private["url"], headers={**ann.headers, "If-None-Match": '"other"'})).status_code == 200
    # a 304 is no way around the privacy check
    assert (await client.get(private["url"], headers={**bob.headers, "If-None-Match": etag})).status_code == 404


async def test_lists_are_the_callers_own_and_admins_may_ask_for_anyone(client, didhub):
    ann = await didhub.create_user("ann")
    bob = await didhub.create_user("bob")
    admin = await didhub.admin()
    mine = [await created(client, ann) for _ in range(3)]
    await created(client, bob)

    first = (await client.get(UPLOADS, params={"limit": 2}, headers=ann.headers)).json()
    assert first["items"] == mine[:2] and first["next_cursor"]
    rest = (await client.get(UPLOADS, params={"limit": 2, "cursor": first["next_cursor"]}, headers=ann.headers)).json()
    assert rest == {"items": mine[2:], "next_cursor": None}
    assert (await client.get(UPLOADS, params={"user_id": ann.id}, headers=admin.headers)).json()["items"] == mine
    assert (await client.get(UPLOADS, params={"user_id": ann.id}, headers=bob.headers)).status_code == 403
    assert (await client.get(UPLOADS, headers=admin.headers)).json()["items"] == []


async def test_patch_changes_only_what_is_sent_and_only_for_the_owner(client, didhub):
    ann = await didhub.create_user("ann")
    bob = await didhub.create_user("bob")
    body = await created(client, ann, alt_text="first")
    path = f"{UPLOADS}/{body['id']}"

    made_public = await client.patch(path, json={"is_public": True}, headers=ann.headers)
    assert made_public.status_code == 200
    assert made_public.json() == {**body, "is_public": True}
    cleared = await client.patch(path, json={"alt_text": None}, headers=ann.headers)
    assert cleared.json() == {**body, "is_public": True, "alt_text": None}
    # public: bob may see it, so it is 403 for him, not 404
    assert (await client.patch(path, json={"alt_text": "mine"}, headers=bob.headers)).status_code == 403
    assert (await client.patch(path, json={"filename": "x.png"}, headers=ann.headers)).status_code == 400
    assert (await client.patch(path, json={"alt_text": "a\x00b"}, headers=ann.headers)).status_code == 400
    await client.patch(path, json={"is_public": False}, headers=ann.headers)
    assert (await client.patch(path, json={"alt_text": "mine"}, headers=bob.headers)).status_code == 404
    audit = await didhub.db.fetch_all("uploads_probe.upload_audit_rows")
    assert [row["action"] for row in audit] == ["upload.create"] + ["upload.update"] * 3
    assert audit[1]["details"] == {"fields": ["is_public"], "is_public": True}


# --- hostile names ---------------------------------------------------------------------------


async def test_hostile_filenames_are_stored_and_served_harmlessly(client, didhub, tmp_path):
    ann = await didhub.create_user("ann")
    cases = [
        (b"../../etc/passwd", "passwd", 'inline; filename="passwd"; filename*=UTF-8\'\'passwd'),
        (
            b'\\"; x=\\".png',  # the quotes escaped as a client would; the name is `"; x=".png`
            '"; x=".png',
            "inline; filename=\"; x=.png\"; filename*=UTF-8''%22%3B%20x%3D%22.png",
        ),
        (
            "..\\..\\Fotos\\Ünïcødé 写真.png".encode(),
            "Ünïcødé 写真.png",
            "inline; filename=\"Unicde .png\"; filename*=UTF-8''%C3%9Cn%C3%AFc%C3%B8d%C3%A9%20%E5%86%99%E7%9C%9F.png",
        ),
        ("evil\u202egnp.exe".encode(), "evilgnp.exe", "inline; filename=\"evilgnp.exe\"; filename*=UTF-8''evilgnp.exe"),
        (b"..", None, None),
    ]
    for raw, expected_name, expected_disposition in cases:
        body, headers = multipart([(b'form-data; name="file"; filename="' + raw + b'"', png())])
        response = await client.post(UPLOADS, content=body, headers={**ann.headers, **headers})
        assert response.status_code == 201, response.text
        upload = response.json()
        if expected_name is None:  # nothing left to show: the stored name stands in
            expected_name = upload["filename"]
            expected_disposition = f"inline; filename=\"{expected_name}\"; filename*=UTF-8''{expected_name}"
        assert upload["original_filename"] == expected_name
        served = await client.get(upload["url"], headers=ann.headers)
        assert served.headers["content-disposition"] == expected_disposition
        assert STORED_NAME.fullmatch(upload["filename"])

    assert all(STORED_NAME.fullmatch(name) for name in stored_files(didhub))
    assert len(stored_files(didhub)) == len(cases)
    assert not (tmp_path / "etc").exists() and not (tmp_path.parent / "etc").exists()
    long = await created(client, ann, filename="x" * 400 + ".png")
    assert long["original_filename"] == "x" * 255


# --- files on disk -----------------------------------------------------------------------------


async def test_delete_removes_the_row_and_the_file(client, didhub):
    ann = await didhub.create_user("ann")
    bob = await didhub.create_user("bob")
    kept = await created(client, ann)
    gone = await created(client, ann, is_public="true")
    assert (await client.delete(f"{UPLOADS}/{gone['id']}", headers=bob.headers)).status_code == 403
    assert (await client.delete(f"{UPLOADS}/{kept['id']}", headers=bob.headers)).status_code == 404

    assert (await client.delete(f"{UPLOADS}/{gone['id']}", headers=ann.headers)).status_code == 204
    assert (await client.get(f"{UPLOADS}/{gone['id']}", headers=ann.headers)).status_code == 404
    assert (await client.get(gone["url"])).status_code == 404
    assert stored_files(didhub) == [kept["filename"]]
    assert (await client.delete(f"{UPLOADS}/{gone['id']}", headers=ann.headers)).status_code == 404
    audit = await didhub.db.fetch_all("uploads_probe.upload_audit_rows")
    assert [row["action"] for row in audit][-1] == "upload.delete"


async def test_deleting_a_user_removes_their_files(client, didhub):
    ann = await didhub.create_user("ann")
    bob = await didhub.create_user("bob")
    admin = await didhub.admin()
    for _ in range(2):
        await created(client, ann)
    bobs = await created(client, bob)
    assert (await client.delete(f"/api/v1/users/{ann.id}", headers=admin.headers)).status_code == 204
    assert stored_files(didhub) == [bobs["filename"]]
    assert await upload_count(didhub) == 1


async def test_owned_url_knows_upload_urls_and_only_those(client, didhub):
    ann = await didhub.create_user("ann")
    bob = await didhub.create_user("bob")
    body = await created(client, ann)
    services = didhub.app.state.services

    async def owned(user_id, url):
        return await first_async(services.pm, "didhub_owned_url", services=services, user_id=user_id, url=url)

    assert await owned(ann.id, body["url"]) is True
    assert await owned(bob.id, body["url"]) is False
    assert await owned(ann.id, f"{UPLOADS}/999999/content") is False
    assert await owned(ann.id, f"{UPLOADS}/99999999999999999999/content") is False
    assert await owned(ann.id, "https://example.org/a.png") is None
    assert await owned(ann.id, f"{UPLOADS}/{body['id']}") is None
    assert await owned(ann.id, f"{body['url']}?x=1") is None


async def test_startup_sweeps_old_orphans_and_temporary_files_only(client, didhub):
    ann = await didhub.create_user("ann")
    body = await created(client, ann)
    folder = upload_dir(didhub)
    old = time.time() - ORPHAN_MIN_AGE_SECONDS - 60
    old_orphan, old_temp = folder / ("a" * 32 + ".png"), folder / (".tmp-" + "b" * 32)
    young_orphan, unrelated = folder / ("c" * 32 + ".jpg"), folder / "README.txt"
    for path in (old_orphan, old_temp, young_orphan, unrelated):
        path.write_bytes(b"x")
    for path in (old_orphan, old_temp, unrelated, folder / body["filename"]):
        os.utime(path, (old, old))

    await plugins.uploads.didhub_startup(didhub.app.state.services)
    assert stored_files(didhub) == sorted([body["filename"], young_orphan.name, unrelated.name])
