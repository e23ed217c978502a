"""oss2 (Aliyun's OSS SDK for Python) against Stratus' OSS dialect, signing V1 (oss2.Auth) and
V4 (oss2.AuthV4 with a real region name, cn-hangzhou), with CRC-64 checking on (the default)."""
import os
import re
import time

import pytest
import requests

import oss2
from oss2.models import BucketLogging, PartInfo

from conftest import empty_bucket, new_bucket_name

REGION = 'cn-hangzhou'
AUTHS = ['v1', 'v4']


def crc64(data):
    c = oss2.utils.Crc64(0)
    c.update(data)
    return c.crc


@pytest.fixture(params=AUTHS)
def auth_kind(request):
    return request.param


@pytest.fixture
def auth(auth_kind, access_key, secret_key):
    return oss2.Auth(access_key, secret_key) if auth_kind == 'v1' else oss2.AuthV4(access_key, secret_key)


@pytest.fixture
def ob(auth, auth_kind, endpoint, bucket):
    """An oss2.Bucket on the test's fresh bucket (CRC-64 checks on: enable_crc defaults to True)."""
    b = oss2.Bucket(auth, endpoint, bucket, region=REGION if auth_kind == 'v4' else None)
    assert b.enable_crc
    return b


@pytest.fixture
def service(auth, auth_kind, endpoint):
    return oss2.Service(auth, endpoint, region=REGION if auth_kind == 'v4' else None)


def test_put_get_head_delete(ob):
    data = os.urandom(100_000)
    r = ob.put_object('dir/obj.bin', data, headers={'Content-Type': 'application/x-test', 'x-oss-meta-colour': 'blue'})
    assert r.status == 200
    assert r.crc == crc64(data)
    g = ob.get_object('dir/obj.bin')
    assert g.read() == data  # the SDK checks the CRC-64 of the whole body against the header
    assert g.server_crc == crc64(data)
    h = ob.head_object('dir/obj.bin')
    assert h.content_length == len(data)
    assert h.content_type == 'application/x-test'
    assert h.headers['x-oss-meta-colour'] == 'blue'
    assert h.object_type == 'Normal'
    assert ob.get_object_meta('dir/obj.bin').content_length == len(data)
    assert ob.get_object('dir/obj.bin', byte_range=(10, 19)).read() == data[10:20]
    assert ob.object_exists('dir/obj.bin')
    ob.update_object_meta('dir/obj.bin', {'x-oss-meta-colour': 'red', 'Content-Type': 'text/plain'})
    h = ob.head_object('dir/obj.bin')
    assert (h.headers['x-oss-meta-colour'], h.content_type) == ('red', 'text/plain')
    ob.copy_object(ob.bucket_name, 'dir/obj.bin', 'dir/copy.bin')
    assert ob.get_object('dir/copy.bin').read() == data
    ob.delete_object('dir/obj.bin')
    assert not ob.object_exists('dir/obj.bin')
    with pytest.raises(oss2.exceptions.NoSuchKey):
        ob.get_object('dir/obj.bin')
    r = ob.batch_delete_objects(['dir/copy.bin', 'missing'])
    assert sorted(r.deleted_keys) == ['dir/copy.bin', 'missing']


def test_put_and_get_files(ob, tmp_path):
    data = os.urandom(300_000)
    src = tmp_path / 'src.bin'
    src.write_bytes(data)
    ob.put_object_from_file('f.bin', str(src))
    dst = tmp_path / 'dst.bin'
    ob.get_object_to_file('f.bin', str(dst))
    assert dst.read_bytes() == data


KEYS = ['a/1', 'a/2', 'a/b/3', 'b/4', 'c', 'd']


@pytest.fixture
def listed(ob):
    for k in KEYS:
        ob.put_object(k, k.encode())
    return ob


def test_list_objects_and_iterators(listed):
    r = listed.list_objects(delimiter='/')
    assert [o.key for o in r.object_list] == ['c', 'd']
    assert r.prefix_list == ['a/', 'b/']
    r = listed.list_objects(max_keys=2)
    assert r.is_truncated and [o.key for o in r.object_list] == ['a/1', 'a/2']
    r = listed.list_objects(marker=r.next_marker, max_keys=10)
    assert [o.key for o in r.object_list] == KEYS[2:]
    assert r.object_list[0].last_modified > 0
    assert [o.key for o in oss2.ObjectIterator(listed, max_keys=2)] == KEYS
    grouped = [(o.key, o.is_prefix()) for o in oss2.ObjectIterator(listed, delimiter='/', max_keys=1)]
    assert grouped == [('a/', True), ('b/', True), ('c', False), ('d', False)]
    assert [o.key for o in oss2.ObjectIterator(listed, prefix='a/', delimiter='/')] == ['a/1', 'a/2', 'a/b/']


def test_list_objects_v2_and_iterator(listed):
    # oss2 sends continuation-token= (empty) and start-after= on the first page (issue 11 item 2).
    r = listed.list_objects_v2(delimiter='/')
    assert [o.key for o in r.object_list] == ['c', 'd']
    assert r.prefix_list == ['a/', 'b/']
    r = listed.list_objects_v2(max_keys=2, fetch_owner=True)
    assert r.is_truncated and r.next_continuation_token
    assert r.object_list[0].owner.id
    r2 = listed.list_objects_v2(continuation_token=r.next_continuation_token)
    assert [o.key for o in r2.object_list] == KEYS[2:]
    assert [o.key for o in oss2.ObjectIteratorV2(listed, max_keys=2)] == KEYS
    assert [o.key for o in oss2.ObjectIteratorV2(listed, start_after='b/4')] == ['c', 'd']
    assert [o.key for o in oss2.ObjectIteratorV2(listed, prefix='a/', delimiter='/', max_keys=1)] == ['a/1', 'a/2', 'a/b/']


def test_buckets_and_bucket_iterator(service, ob, s3):
    mine = [b.name for b in oss2.BucketIterator(service, max_keys=1)]
    assert ob.bucket_name in mine
    assert mine == sorted(mine)
    r = service.list_buckets(prefix=ob.bucket_name)
    assert [b.name for b in r.buckets] == [ob.bucket_name]
    assert r.buckets[0].creation_date > 0
    info = ob.get_bucket_info()
    assert info.name == ob.bucket_name
    assert ob.get_bucket_location().location
    ob.put_object('k', b'12345')
    assert ob.get_bucket_stat().object_count == 1


def test_multipart_with_list_parts_and_iterators(ob):
    part = 100 * 1024
    chunks = [os.urandom(part), os.urandom(part), os.urandom(1000)]
    up = ob.init_multipart_upload('mpu').upload_id
    other = ob.init_multipart_upload('mpu-other').upload_id
    infos = []
    for i, c in enumerate(chunks, start=1):
        r = ob.upload_part('mpu', up, i, c)
        assert r.crc == crc64(c)
        infos.append(PartInfo(i, r.etag, size=len(c), part_crc=r.crc))
    # ListParts (oss2 always sends part-number-marker=, empty at first).
    r = ob.list_parts('mpu', up)
    assert [(p.part_number, p.size) for p in r.parts] == [(1, part), (2, part), (3, 1000)]
    assert [p.part_number for p in oss2.PartIterator(ob, 'mpu', up, max_parts=1)] == [1, 2, 3]
    uploads = [(u.key, u.upload_id) for u in oss2.MultipartUploadIterator(ob, max_uploads=1)]
    assert uploads == [('mpu', up), ('mpu-other', other)]
    assert [u.upload_id for u in oss2.MultipartUploadIterator(ob, prefix='mpu-')] == [other]
    r = ob.complete_multipart_upload('mpu', up, infos)
    assert r.crc == crc64(b''.join(chunks))
    g = ob.get_object('mpu')
    assert g.read() == b''.join(chunks)
    ob.abort_multipart_upload('mpu-other', other)
    assert list(oss2.MultipartUploadIterator(ob)) == []


class FailOnce:
    """Wraps a Bucket method so that one chosen call raises, as a dropped connection would."""

    def __init__(self, bucket, name, fail_on):
        self.real = getattr(bucket, name)
        self.fail_on = fail_on
        self.calls = 0
        self.seen = []
        setattr(bucket, name, self)

    def __call__(self, *args, **kwargs):
        self.calls += 1
        self.seen.append(args[2] if len(args) > 2 else kwargs.get('byte_range'))
        if self.calls == self.fail_on:
            raise oss2.exceptions.RequestError(ConnectionError('connection dropped (injected)'))
        return self.real(*args, **kwargs)


def test_resumable_upload_interrupted_and_resumed(ob, tmp_path):
    part = 100 * 1024
    data = os.urandom(5 * part + 1234)
    src = tmp_path / 'big.bin'
    src.write_bytes(data)
    store = oss2.ResumableStore(root=str(tmp_path / 'checkpoints'))
    kw = dict(store=store, multipart_threshold=part, part_size=part, num_threads=1)

    first = FailOnce(ob, 'upload_part', fail_on=4)
    with pytest.raises(oss2.exceptions.RequestError):
        oss2.resumable_upload(ob, 'big.bin', str(src), **kw)
    assert first.seen == [1, 2, 3, 4]
    # The checkpoint names the upload, which holds the three parts that made it.
    uploads = list(oss2.MultipartUploadIterator(ob))
    assert len(uploads) == 1
    assert [p.part_number for p in oss2.PartIterator(ob, 'big.bin', uploads[0].upload_id)] == [1, 2, 3]
    assert not ob.object_exists('big.bin')

    ob.upload_part = first.real
    second = FailOnce(ob, 'upload_part', fail_on=0)
    r = oss2.resumable_upload(ob, 'big.bin', str(src), **kw)
    assert second.seen == [4, 5, 6], 'only the missing parts are uploaded'
    assert r.crc == crc64(data)
    assert ob.get_object('big.bin').read() == data
    assert list(oss2.MultipartUploadIterator(ob)) == []


def test_resumable_download_interrupted_and_resumed(ob, tmp_path):
    part = 100 * 1024
    data = os.urandom(4 * part + 77)
    ob.put_object('dl.bin', data)
    dst = tmp_path / 'dl.bin'
    store = oss2.ResumableDownloadStore(root=str(tmp_path / 'checkpoints'))
    kw = dict(store=store, multiget_threshold=part, part_size=part, num_threads=1)

    first = FailOnce(ob, 'get_object', fail_on=3)
    with pytest.raises(oss2.exceptions.RequestError):
        oss2.resumable_download(ob, 'dl.bin', str(dst), **kw)
    assert not dst.exists()
    ob.get_object = first.real
    second = FailOnce(ob, 'get_object', fail_on=0)
    oss2.resumable_download(ob, 'dl.bin', str(dst), **kw)
    assert dst.read_bytes() == data
    # Two ranges came whole the first time; the resumed run fetches only the other three.
    assert len(second.seen) == 3, second.seen
    assert [r[0] for r in second.seen] == [2 * part, 3 * part, 4 * part]


def test_append_object(ob):
    r1 = ob.append_object('log', 0, b'first line\n')
    assert r1.next_position == 11
    assert r1.crc == crc64(b'first line\n')
    r2 = ob.append_object('log', r1.next_position, b'second line\n', init_crc=r1.crc)
    assert r2.next_position == 23
    assert r2.crc == crc64(b'first line\nsecond line\n')
    with pytest.raises(oss2.exceptions.PositionNotEqualToLength):
        ob.append_object('log', 5, b'wrong place')
    h = ob.head_object('log')
    assert h.object_type == 'Appendable'
    assert ob.get_object('log').read() == b'first line\nsecond line\n'


def test_symlinks(ob):
    ob.put_object('target.txt', b'pointed at')
    ob.put_symlink('target.txt', 'link', headers={'x-oss-meta-why': 'alias'})
    assert ob.get_symlink('link').target_key == 'target.txt'
    assert ob.get_object('link').read() == b'pointed at'
    h = ob.head_object('link')
    assert h.object_type == 'Symlink'
    assert h.headers['x-oss-meta-why'] == 'alias'
    with pytest.raises(oss2.exceptions.OssError) as e:
        ob.get_symlink('target.txt')
    assert (e.value.status, e.value.code) == (400, 'NotSymlink')


def test_signed_urls_get_and_put(ob):
    put_url = ob.sign_url('PUT', 'signed/up load.txt', 300, headers={'Content-Type': 'text/plain'})
    r = requests.put(put_url, data=b'sent through a signed URL', headers={'Content-Type': 'text/plain'})
    assert r.status_code == 200, r.text
    get_url = ob.sign_url('GET', 'signed/up load.txt', 300)
    r = requests.get(get_url)
    assert r.status_code == 200, r.text
    assert r.content == b'sent through a signed URL'
    assert r.headers['x-oss-hash-crc64ecma'] == str(crc64(b'sent through a signed URL'))
    # A URL for another key does not carry over.
    tampered = get_url.replace('up%20load', 'up%20loaX')
    assert tampered != get_url
    r = requests.get(tampered)
    assert r.status_code == 403 and b'SignatureDoesNotMatch' in r.content


def test_errors_come_as_oss_errors(ob):
    with pytest.raises(oss2.exceptions.NoSuchKey) as e:
        ob.get_object('missing')
    assert e.value.status == 404 and e.value.request_id
    bad = oss2.Bucket(oss2.Auth(ob.auth.credentials_provider.get_credentials().access_key_id, 'wrong-secret'), ob.endpoint, ob.bucket_name)
    with pytest.raises(oss2.exceptions.SignatureDoesNotMatch):
        bad.get_object('missing')


def test_bucket_cors_and_website(ob):
    from oss2.models import BucketCors, BucketWebsite, CorsRule
    with pytest.raises(oss2.exceptions.NoSuchCors):
        ob.get_bucket_cors()
    rule = CorsRule(allowed_origins=['https://app.example'], allowed_methods=['GET', 'PUT'], allowed_headers=['*'],
                    expose_headers=['ETag', 'x-oss-hash-crc64ecma'], max_age_seconds=120)
    ob.put_bucket_cors(BucketCors([rule]))
    got = ob.get_bucket_cors().rules
    assert len(got) == 1 and got[0].allowed_origins == ['https://app.example'] and got[0].allowed_methods == ['GET', 'PUT']
    assert got[0].expose_headers == ['ETag', 'x-oss-hash-crc64ecma'] and got[0].max_age_seconds == 120
    ob.put_object('k', b'v')
    r = ob.get_object('k', headers={'Origin': 'https://app.example'})
    assert r.headers['Access-Control-Allow-Origin'] == 'https://app.example'
    with pytest.raises(oss2.exceptions.ServerError) as e:
        ob.put_bucket_cors(BucketCors([CorsRule(allowed_origins=['*'], allowed_methods=['PATCH'])]))
    assert e.value.status == 400 and e.value.code == 'InvalidRequest'
    ob.delete_bucket_cors()
    with pytest.raises(oss2.exceptions.NoSuchCors):
        ob.get_bucket_cors()

    with pytest.raises(oss2.exceptions.NoSuchWebsite):
        ob.get_bucket_website()
    ob.put_bucket_website(BucketWebsite('index.html', 'error.html'))
    w = ob.get_bucket_website()
    assert w.index_file == 'index.html' and w.error_file == 'error.html'
    ob.delete_bucket_website()
    with pytest.raises(oss2.exceptions.NoSuchWebsite):
        ob.get_bucket_website()


# --- anonymous access and hotlink protection -----------------------------------------------------------

def test_referer_configuration_and_signed_urls(ob):
    """put/get_bucket_referer round-trip (white and black lists); URLs signed by oss2 are admitted or refused
    by their Referer, header-signed requests never are."""
    from oss2.models import BucketReferer
    ob.put_object('hot.txt', b'hotlinked')
    ob.put_bucket_referer(BucketReferer(False, ['http://www.example.com', 'https://*.example.org'], allow_truncate_query_string=True,
                                        black_referers=['https://bad.example.org']))
    got = ob.get_bucket_referer()
    assert got.allow_empty_referer is False
    assert got.referers == ['http://www.example.com', 'https://*.example.org']
    assert got.allow_truncate_query_string is True
    assert got.black_referers == ['https://bad.example.org']
    url = ob.sign_url('GET', 'hot.txt', 300)
    assert requests.get(url, headers={'Referer': 'http://www.example.com'}, timeout=30).content == b'hotlinked'
    # The query string is cut before matching (allow_truncate_query_string), the path is not.
    assert requests.get(url, headers={'Referer': 'https://a.example.org?x=1'}, timeout=30).status_code == 200
    assert requests.get(url, headers={'Referer': 'https://a.example.org/page'}, timeout=30).status_code == 403
    for bad in ('https://bad.example.org', 'http://evil.example', None):
        r = requests.get(url, headers={'Referer': bad} if bad else {}, timeout=30)
        assert r.status_code == 403, bad
        assert b'You are denied by bucket referer policy.' in r.content
    # Signed in the Authorization header: not checked.
    assert ob.get_object('hot.txt', headers={'Referer': 'http://evil.example'}).read() == b'hotlinked'
    ob.put_bucket_referer(BucketReferer(True, []))
    assert requests.get(url, headers={'Referer': 'http://evil.example'}, timeout=30).status_code == 200


def test_anonymous_auth_on_private_and_public_buckets(auth, auth_kind, endpoint):
    """oss2.AnonymousAuth on a bucket oss2 created: refused with OSS's AccessDenied on a private bucket,
    reads a public-read one."""
    from conftest import new_bucket_name
    name = new_bucket_name('anon-oss2')
    owner = oss2.Bucket(auth, endpoint, name, region=REGION if auth_kind == 'v4' else None)
    owner.create_bucket()
    try:
        owner.put_object('anon.txt', b'for everyone')
        anon = oss2.Bucket(oss2.AnonymousAuth(), endpoint, name)
        with pytest.raises(oss2.exceptions.AccessDenied) as e:
            anon.get_object('anon.txt')
        assert e.value.request_id  # x-oss-request-id: OSS answered, though nothing in the request named OSS
        owner.put_bucket_acl(oss2.BUCKET_ACL_PUBLIC_READ)
        g = anon.get_object('anon.txt')
        assert g.read() == b'for everyone'  # oss2 checks the CRC-64 against x-oss-hash-crc64ecma
    finally:
        owner.delete_object('anon.txt')
        owner.delete_bucket()


def _oss_log_fields(line):
    """An OSS access-log line (OSS's Logging guide): space-separated fields, strings quoted, the time in
    brackets; 28 of them (OSS may append more)."""
    t = re.findall(r'"(?:[^"\\]|\\.)*"|\[[^\]]*\]|\S+', line)
    assert len(t) >= 28, line
    assert t[1:3] == ['-', '-'], line
    assert re.fullmatch(r'\[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000\]', t[3]), line
    q = {i: t[i][1:-1] for i in (4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 19, 21, 23, 24, 25, 26, 27) if t[i].startswith('"')}
    assert len(q) == 17, f'the string fields are quoted: {line}'
    return {'uri': q[4], 'status': t[5], 'sent': t[6], 'request_id': q[11], 'flag': q[12], 'requester': q[13],
            'operation': q[14], 'bucket': q[15], 'key': q[16], 'size': t[17], 'error': q[19], 'owner': q[21],
            'access_key': q[27]}


def test_bucket_logging_in_oss_format(ob, s3, access_key):
    """put_bucket_logging through oss2: the source bucket's requests become lines in OSS's access-log
    format, in log objects named <TargetPrefix><SourceBucket>YYYY-mm-DD-HH-MM-SS-<unique> in the target
    (the interop server flushes every second)."""
    target = new_bucket_name('oss-log-dst')
    s3.create_bucket(Bucket=target)
    tb = oss2.Bucket(ob.auth, ob.endpoint, target, region=ob.region)
    try:
        ob.put_bucket_logging(BucketLogging(target, 'access/'))
        got = ob.get_bucket_logging()
        assert (got.target_bucket, got.target_prefix) == (target, 'access/')
        ob.put_object('dir/o b', b'xyz')
        assert ob.get_object('dir/o b').read() == b'xyz'
        with pytest.raises(oss2.exceptions.NoSuchKey):
            ob.get_object('missing')
        ob.head_object('dir/o b')
        # The last request logged: once its line is delivered, every earlier one is (the queue keeps order).
        with pytest.raises(oss2.exceptions.NotFound):
            ob.head_object('marker')
        ob.delete_bucket_logging()
        prefix = f'access/{ob.bucket_name}'
        deadline = time.monotonic() + 30
        while True:
            keys = [o.key for o in oss2.ObjectIterator(tb, prefix=prefix)]
            records = [_oss_log_fields(line) for k in keys for line in tb.get_object(k).read().decode().splitlines() if line]
            if any(r['key'] == 'marker' for r in records):
                break
            assert time.monotonic() < deadline, f'no line for the last request after 30 s: {records}'
            time.sleep(0.25)
        for k in keys:
            assert re.fullmatch(re.escape(prefix) + r'\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9A-F]+', k), k
        by_op = {}
        for r in records:
            assert (r['bucket'], r['flag'], r['owner']) == (ob.bucket_name, 'true', 'root'), r
            by_op.setdefault((r['operation'], r['status']), r)
        put = by_op[('PutObject', '200')]
        assert (put['key'], put['requester'], put['access_key']) == ('dir/o%20b', 'root', access_key)
        assert re.fullmatch(r'PUT /\S*o%20b HTTP/1\.1', put['uri']), put['uri']  # the URI as sent (path style here)
        get = by_op[('GetObject', '200')]
        assert (get['sent'], get['size']) == ('3', '3')
        assert by_op[('GetObject', '404')]['error'] == 'NoSuchKey'
        assert ('HeadObject', '200') in by_op and ('GetBucketLogging', '200') in by_op
    finally:
        ob.delete_bucket_logging()
        empty_bucket(s3, target)
        s3.delete_bucket(Bucket=target)
