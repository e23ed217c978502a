"""esdk-obs-python (Huawei's OBS SDK for Python) against Stratus' OBS dialect, in both modes:
- 'v2', the AWS-compatible signature, against http://127.0.0.1:PORT (against an IP address the SDK
  forces path style, and path style forces 'v2' whatever is asked);
- 'obs', OBS's own signature, through the host name `localhost`: the SDK then addresses buckets as
  `<bucket>.localhost` (virtual-hosted; Stratus' default domain is `localhost`) and first negotiates
  the signature (HEAD ?apiversion). The `localhost_subdomains` fixture makes those names resolve.
"""
import hashlib
import os
import re
import time

import pytest
import requests

from obs import (AppendObjectContent, AppendObjectHeader, CompleteMultipartUploadRequest, CompletePart, DeleteObjectsRequest, GetObjectRequest,
                 Object, ObsClient, PutObjectHeader, Versions)

MODES = ['v2', 'obs']


@pytest.fixture(params=MODES)
def mode(request):
    return request.param


@pytest.fixture
def client(mode, port, access_key, secret_key, request):
    if mode == 'obs':
        request.getfixturevalue('localhost_subdomains')
        c = ObsClient(access_key_id=access_key, secret_access_key=secret_key, server=f'http://localhost:{port}',
                      signature='obs', path_style=False, max_retry_count=0)
    else:
        c = ObsClient(access_key_id=access_key, secret_access_key=secret_key, server=f'http://127.0.0.1:{port}',
                      signature='v2', path_style=True, max_retry_count=0)
    assert c.signature == mode, 'the SDK kept the signature mode asked for'
    yield c
    c.close()


def ok(resp):
    assert resp.status < 300, f'{resp.status} {resp.errorCode}: {resp.errorMessage}'
    return resp.body


def fails(resp, status, code=None):
    assert resp.status == status, f'expected {status} {code}, got {resp.status} {resp.errorCode}: {resp.errorMessage}'
    if code is not None:
        assert resp.errorCode == code
    return resp


def test_put_get_head_delete(client, bucket):
    data = os.urandom(50_000)
    r = ok(client.putContent(bucket, 'dir/obj.bin', data, metadata={'colour': 'blue'}, headers=PutObjectHeader(contentType='application/x-test')))
    assert r.etag.strip('"') == hashlib.md5(data).hexdigest()
    assert ok(client.getObject(bucket, 'dir/obj.bin', loadStreamInMemory=True)).buffer == data
    meta = ok(client.getObjectMetadata(bucket, 'dir/obj.bin'))
    assert meta.contentLength == len(data)
    assert meta.contentType == 'application/x-test'
    ok(client.copyObject(bucket, 'dir/obj.bin', bucket, 'dir/copy.bin'))
    assert ok(client.getObject(bucket, 'dir/copy.bin', loadStreamInMemory=True)).buffer == data
    ok(client.deleteObject(bucket, 'dir/obj.bin'))
    fails(client.getObject(bucket, 'dir/obj.bin', loadStreamInMemory=True), 404, 'NoSuchKey')
    r = ok(client.deleteObjects(bucket, DeleteObjectsRequest(objects=[Object(key='dir/copy.bin'), Object(key='missing')])))
    assert sorted(d.key for d in r.deleted) == ['dir/copy.bin', 'missing']


def test_listings(client, bucket):
    keys = ['a/1', 'a/2', 'a/b/3', 'b/4', 'c', 'd']
    for k in keys:
        ok(client.putContent(bucket, k, k.encode()))
    r = ok(client.listObjects(bucket, delimiter='/'))
    assert [o.key for o in r.contents] == ['c', 'd']
    assert [p.prefix for p in r.commonPrefixs] == ['a/', 'b/']
    got, marker = [], None
    while True:
        r = ok(client.listObjects(bucket, max_keys=2, marker=marker))
        got += [o.key for o in r.contents]
        if not r.is_truncated:
            break
        marker = r.next_marker or r.contents[-1].key
    assert got == keys
    r = ok(client.listObjects(bucket, prefix='a/', delimiter='/'))
    assert [o.key for o in r.contents] == ['a/1', 'a/2']


def test_multipart_with_list_parts(client, bucket):
    part = 100 * 1024
    chunks = [os.urandom(part), os.urandom(part), b'tail']
    up = ok(client.initiateMultipartUpload(bucket, 'mpu')).uploadId
    etags = [ok(client.uploadPart(bucket, 'mpu', i, up, c)).etag for i, c in enumerate(chunks, start=1)]
    r = ok(client.listParts(bucket, 'mpu', up, maxParts=2))
    assert [p.partNumber for p in r.parts] == [1, 2] and r.isTruncated
    r = ok(client.listParts(bucket, 'mpu', up, partNumberMarker=r.nextPartNumberMarker))
    assert [(p.partNumber, p.size) for p in r.parts] == [(3, 4)]
    assert [u.uploadId for u in ok(client.listMultipartUploads(bucket)).upload] == [up]
    ok(client.completeMultipartUpload(bucket, 'mpu', up, CompleteMultipartUploadRequest([CompletePart(i, e) for i, e in enumerate(etags, start=1)])))
    assert ok(client.getObject(bucket, 'mpu', loadStreamInMemory=True)).buffer == b''.join(chunks)


class FailOnce:
    """Wraps a client method so that the n-th call raises, as a dropped connection would."""

    def __init__(self, client, name, fail_on):
        self.client, self.name = client, name
        self.real = getattr(client, name)
        self.fail_on = fail_on
        self.calls = []
        setattr(client, name, self)

    def __call__(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        if len(self.calls) == self.fail_on:
            raise ConnectionError('connection dropped (injected)')
        return self.real(*args, **kwargs)

    def restore(self):
        setattr(self.client, self.name, self.real)


def test_upload_file_interrupted_and_resumed(client, bucket, tmp_path):
    part = 100 * 1024
    data = os.urandom(4 * part + 99)
    src = tmp_path / 'up.bin'
    src.write_bytes(data)
    checkpoint = str(tmp_path / 'up.checkpoint')
    kw = dict(partSize=part, taskNum=1, enableCheckpoint=True, checkpointFile=checkpoint)

    first = FailOnce(client, '_uploadPartWithNotifier', fail_on=2)
    with pytest.raises(Exception, match='some parts are failed'):
        client.uploadFile(bucket, 'up.bin', str(src), **kw)
    first.restore()
    assert os.path.exists(checkpoint), 'the checkpoint survives the failure'
    uploads = ok(client.listMultipartUploads(bucket)).upload
    assert len(uploads) == 1
    assert [p.partNumber for p in ok(client.listParts(bucket, 'up.bin', uploads[0].uploadId)).parts] == [1, 3, 4, 5]

    second = FailOnce(client, '_uploadPartWithNotifier', fail_on=0)
    ok(client.uploadFile(bucket, 'up.bin', str(src), **kw))
    second.restore()
    assert [c[0][2] for c in second.calls] == [2], 'only the missing part is uploaded again'
    assert ok(client.getObject(bucket, 'up.bin', loadStreamInMemory=True)).buffer == data
    assert not os.path.exists(checkpoint)
    assert ok(client.listMultipartUploads(bucket)).upload == []


def test_download_file_interrupted_and_resumed(client, bucket, tmp_path):
    part = 100 * 1024
    data = os.urandom(3 * part + 5)
    ok(client.putContent(bucket, 'dl.bin', data))
    dst = tmp_path / 'dl.bin'
    checkpoint = str(tmp_path / 'dl.checkpoint')
    kw = dict(partSize=part, taskNum=1, enableCheckpoint=True, checkpointFile=checkpoint)

    first = FailOnce(client, 'getObject', fail_on=2)
    with pytest.raises(Exception, match='some parts are failed'):
        client.downloadFile(bucket, 'dl.bin', str(dst), **kw)
    first.restore()
    assert not dst.exists() and os.path.exists(checkpoint)
    second = FailOnce(client, 'getObject', fail_on=0)
    ok(client.downloadFile(bucket, 'dl.bin', str(dst), **kw))
    second.restore()
    assert len(second.calls) == 1, 'only the missing range is fetched again'
    assert second.calls[0][1]['headers'].range == f'{part}-{2 * part - 1}'
    assert dst.read_bytes() == data


def test_append_object(client, bucket):
    r1 = ok(client.appendObject(bucket, 'log', AppendObjectContent(content=b'first\n', position=0)))
    assert r1.nextPosition == 6
    r2 = ok(client.appendObject(bucket, 'log', AppendObjectContent(content=b'second\n', position=r1.nextPosition)))
    assert r2.nextPosition == 13
    fails(client.appendObject(bucket, 'log', AppendObjectContent(content=b'x', position=3)), 409, 'PositionNotEqualToLength')
    meta = ok(client.getObjectMetadata(bucket, 'log'))
    assert meta.isAppendable and meta.nextPosition == 13
    assert ok(client.getObject(bucket, 'log', loadStreamInMemory=True)).buffer == b'first\nsecond\n'


def test_signed_urls(client, bucket):
    put = client.createSignedUrl('PUT', bucket, 'signed/up load.txt', expires=300, headers={'Content-Type': 'text/plain'})
    r = requests.put(put.signedUrl, data=b'through a signed URL', headers=put.actualSignedRequestHeaders)
    assert r.status_code == 200, r.text
    get = client.createSignedUrl('GET', bucket, 'signed/up load.txt', expires=300)
    r = requests.get(get.signedUrl, headers=get.actualSignedRequestHeaders)
    assert r.status_code == 200, r.text
    assert r.content == b'through a signed URL'
    assert r.headers['Content-Type'] == 'text/plain'
    tampered = get.signedUrl.replace('up%20load', 'up%20loaX')
    assert tampered != get.signedUrl
    r = requests.get(tampered, headers=get.actualSignedRequestHeaders)
    assert r.status_code == 403 and b'SignatureDoesNotMatch' in r.content


def test_storage_policy(client, mode, bucket):
    # Each mode names the classes in its own words: OBS WARM / COLD, AWS STANDARD_IA / GLACIER.
    warm = 'WARM' if mode == 'obs' else 'STANDARD_IA'
    ok(client.setBucketStoragePolicy(bucket, warm))
    assert ok(client.getBucketStoragePolicy(bucket)).storageClass == warm
    r = ok(client.putContent(bucket, 'k', b'x'))
    meta = ok(client.getObjectMetadata(bucket, 'k'))
    assert meta.storageClass == warm, 'a new object takes the bucket default'
    ok(client.setBucketStoragePolicy(bucket, 'STANDARD'))
    assert ok(client.getBucketStoragePolicy(bucket)).storageClass == 'STANDARD'
    fails(client.setBucketStoragePolicy(bucket, 'NOT_A_CLASS'), 400)
    assert r.etag


def test_quota_and_storage_info(client, bucket):
    assert ok(client.getBucketQuota(bucket)).quota == 0
    ok(client.setBucketQuota(bucket, 100 * 1024))
    assert ok(client.getBucketQuota(bucket)).quota == 100 * 1024
    ok(client.putContent(bucket, 'a', b'x' * 60 * 1024))
    info = ok(client.getBucketStorageInfo(bucket))
    assert (info.size, info.objectNumber) == (60 * 1024, 1)
    fails(client.putContent(bucket, 'b', b'y' * 60 * 1024), 403, 'InsufficientStorageSpace')
    ok(client.setBucketQuota(bucket, 0))
    ok(client.putContent(bucket, 'b', b'y' * 60 * 1024))
    assert ok(client.getBucketStorageInfo(bucket)).objectNumber == 2


def test_versions(client, bucket):
    ok(client.setBucketVersioning(bucket, 'Enabled'))
    assert ok(client.getBucketVersioning(bucket)) == 'Enabled'
    v1 = ok(client.putContent(bucket, 'k', b'one')).versionId
    v2 = ok(client.putContent(bucket, 'k', b'two')).versionId
    assert v1 and v2 and v1 != v2
    assert ok(client.getObject(bucket, 'k', loadStreamInMemory=True)).buffer == b'two'
    assert ok(client.getObject(bucket, 'k', getObjectRequest=GetObjectRequest(versionId=v1), loadStreamInMemory=True)).buffer == b'one'
    d = client.deleteObject(bucket, 'k')
    ok(d)
    assert d.body.deleteMarker
    r = ok(client.listVersions(bucket, Versions(prefix='k')))
    assert [v.versionId for v in r.versions] == [v2, v1]
    assert [m.versionId for m in r.markers] == [d.body.versionId]
    ok(client.deleteObject(bucket, 'k', versionId=d.body.versionId))
    assert ok(client.getObject(bucket, 'k', loadStreamInMemory=True)).buffer == b'two'
    ok(client.setBucketVersioning(bucket, 'Suspended'))
    assert ok(client.getBucketVersioning(bucket)) == 'Suspended'


def test_bucket_metadata_and_errors(client, bucket):
    assert client.headBucket(bucket).status == 200
    ok(client.getBucketMetadata(bucket))
    fails(client.headBucket('no-such-bucket-' + bucket[-8:]), 404)
    fails(client.getObject(bucket, 'missing', loadStreamInMemory=True), 404, 'NoSuchKey')


def test_anonymous_client_reads_public_objects_only(mode, port, client, bucket, request):
    """An ObsClient without keys sends unsigned requests: it reads a public-read object, not a private one."""
    ok(client.putObject(bucket, 'public.txt', 'for everyone'))
    ok(client.putObject(bucket, 'private.txt', 'owner only'))
    ok(client.setObjectAcl(bucket, 'public.txt', aclControl='public-read'))
    server = f'http://localhost:{port}' if mode == 'obs' else f'http://127.0.0.1:{port}'
    anon = ObsClient(access_key_id='', secret_access_key='', server=server, signature=mode, path_style=mode != 'obs', max_retry_count=0)
    try:
        got = ok(anon.getObject(bucket, 'public.txt', loadStreamInMemory=True))
        assert got.buffer == b'for everyone'
        fails(anon.getObject(bucket, 'private.txt', loadStreamInMemory=True), 403, 'AccessDenied')
        fails(anon.putObject(bucket, 'new.txt', 'x'), 403, 'AccessDenied')
    finally:
        anon.close()


def test_bucket_cors_options_and_website(client, bucket):
    from obs import CorsRule, ErrorDocument, IndexDocument, Options, RedirectAllRequestTo, WebsiteConfiguration
    fails(client.getBucketCors(bucket), 404, 'NoSuchCORSConfiguration')
    rule = CorsRule(id='rule1', allowedMethod=['PUT', 'HEAD', 'GET'], allowedOrigin=['http://www.a.com', 'http://www.b.com'],
                    allowedHeader=['Authorization1'], maxAgeSecond=100, exposeHeader=['x-obs-test1'])
    ok(client.setBucketCors(bucket, [rule]))
    rules = ok(client.getBucketCors(bucket))
    assert rules[0].id == 'rule1' and rules[0].allowedOrigin == ['http://www.a.com', 'http://www.b.com']
    assert rules[0].maxAgeSecond in (100, '100')
    opt = ok(client.optionsBucket(bucket, Options(origin='http://www.a.com', accessControlRequestMethods=['GET', 'PUT'],
                                                  accessControlRequestHeaders=['Authorization1'])))
    assert opt.accessContorlAllowOrigin == 'http://www.a.com' and opt.accessContorlMaxAge == 100
    fails(client.optionsBucket(bucket, Options(origin='http://www.z.com', accessControlRequestMethods=['GET'])), 403, 'AccessForbidden')
    meta = ok(client.getBucketMetadata(bucket, origin='http://www.b.com', requestHeaders='Authorization1'))
    assert meta.accessContorlAllowOrigin == 'http://www.b.com'
    fails(client.setBucketCors(bucket, [CorsRule(allowedMethod=['PATCH'], allowedOrigin=['*'])]), 400, 'InvalidRequest')
    ok(client.deleteBucketCors(bucket))
    fails(client.getBucketCors(bucket), 404, 'NoSuchCORSConfiguration')

    fails(client.getBucketWebsite(bucket), 404, 'NoSuchWebsiteConfiguration')
    ok(client.setBucketWebsite(bucket, WebsiteConfiguration(indexDocument=IndexDocument(suffix='index.html'), errorDocument=ErrorDocument(key='error.html'))))
    w = ok(client.getBucketWebsite(bucket))
    assert w.indexDocument.suffix == 'index.html' and w.errorDocument.key == 'error.html'
    # The SDK sends RedirectAllRequestsTo alone when given both; a site without an index document is refused.
    fails(client.setBucketWebsite(bucket, WebsiteConfiguration(errorDocument=ErrorDocument(key='error.html'))), 400, 'InvalidArgument')
    assert ok(client.getBucketWebsite(bucket)).indexDocument.suffix == 'index.html'
    ok(client.setBucketWebsite(bucket, WebsiteConfiguration(redirectAllRequestTo=RedirectAllRequestTo(hostName='www.example.com', protocol='https'))))
    assert ok(client.getBucketWebsite(bucket)).redirectAllRequestTo.hostName == 'www.example.com'
    ok(client.deleteBucketWebsite(bucket))
    fails(client.getBucketWebsite(bucket), 404, 'NoSuchWebsiteConfiguration')


def _keys(client, bucket):
    return sorted(o.key for o in ok(client.listObjects(bucket)).contents)


def _until(what, check, timeout=30):
    """Polls until check() holds. The interop server's lifecycle day lasts one second and its worker
    passes twice a day; no test asserts how long anything took."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f'timed out waiting until {what}')
        time.sleep(0.25)


def test_object_expires(client, bucket):
    """x-obs-expires (days; one-second days in the interop server) on PUT, append, multipart initiation
    and copy: reported on HEAD as its due time alone, and the objects go; the others stay."""
    ok(client.putContent(bucket, 'put', b'a', headers=PutObjectHeader(expires=1)))
    ok(client.appendObject(bucket, 'append', AppendObjectContent(content=b'a', position=0), headers=AppendObjectHeader(expires=1)))
    up = ok(client.initiateMultipartUpload(bucket, 'mpu', expires=1)).uploadId
    etag = ok(client.uploadPart(bucket, 'mpu', 1, up, b'part')).etag
    ok(client.completeMultipartUpload(bucket, 'mpu', up, CompleteMultipartUploadRequest([CompletePart(1, etag)])))
    ok(client.putContent(bucket, 'keep', b'k'))
    ok(client.copyObject(bucket, 'keep', bucket, 'copy', extensionHeaders={'x-obs-expires': '1'}))
    for key in ('put', 'append', 'mpu', 'copy'):
        expiration = ok(client.getObjectMetadata(bucket, key)).expiration
        assert expiration and re.fullmatch(r'expiry-date="[^"]+"', expiration), (key, expiration)
    assert ok(client.getObjectMetadata(bucket, 'keep')).expiration is None
    _until('the expiring objects are gone', lambda: _keys(client, bucket) == ['keep'])


def test_object_expires_versioned_leaves_a_delete_marker(client, bucket):
    ok(client.setBucketVersioning(bucket, 'Enabled'))
    v = ok(client.putContent(bucket, 'k', b'one', headers=PutObjectHeader(expires=1))).versionId
    _until('k is expired', lambda: _keys(client, bucket) == [])
    r = ok(client.listVersions(bucket, Versions(prefix='k')))
    assert [(x.versionId, x.isLatest) for x in r.versions] == [(v, False)]
    assert [m.isLatest for m in r.markers] == [True]


@pytest.mark.parametrize('bad', ['0', '-3', '1.5', 'soon'])
def test_object_expires_refuses_bad_days(client, bucket, bad):
    fails(client.putContent(bucket, 'k', b'a', extensionHeaders={'x-obs-expires': bad}), 400, 'InvalidArgument')
    fails(client.initiateMultipartUpload(bucket, 'k', extensionHeaders={'x-obs-expires': bad}), 400, 'InvalidArgument')
    ok(client.putContent(bucket, 'src', b'a'))
    fails(client.copyObject(bucket, 'src', bucket, 'k', extensionHeaders={'x-obs-expires': bad}), 400, 'InvalidArgument')
    assert _keys(client, bucket) == ['src']
