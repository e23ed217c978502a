"""Interop: Tencent COS JSON API v4 through the official Python SDK (qcloud_cos v4).

Every operation of seed 003 (the COS v4 JSON API), driven by qcloud_cos as an
application would: folders (create, list, stat, update, delete), simple upload,
slice upload serial and concurrent, with and without SHA-1, file stat, update
(biz_attr, authority, custom headers), delete, move, copy, signed download, and
the errors as the SDK hands them back (a dict with a negative `code`).

The server is already running (the harness starts it); it is named by
STRATUS_ENDPOINT, STRATUS_PORT, STRATUS_ACCESS_KEY, STRATUS_SECRET_KEY and
STRATUS_APPID. COS v4 has no bucket API: buckets are made and removed with boto3.

Two SDK operations need a word:
 - copy and upload_slice_list are in the API (seed 003) but the SDK has no method
   for them; they are sent through the SDK's own signing (Auth) and transport
   (FileOp.send_request), exactly as its other operations are.
 - downloads go to http://<bucket>-<appid>.<download_hostname>/<path>?sign=...;
   the server answers that at <bucket>-<appid>.file.localhost (its default COS
   download domain, or STRATUS_COS_DOWNLOAD_DOMAIN), which this test resolves to
   the server's address, as a wildcard DNS entry would.

Run: "$CLIENTS_PYTHON" -m pytest -q test/interop/test_cos.py
"""
import hashlib
import json
import os
import socket
import time
import uuid

import boto3
import pytest
import requests
from botocore.config import Config
from qcloud_cos import (Auth, CosClient, CosConfig, CreateFolderRequest, DelFileRequest, DelFolderRequest,
                        DownloadFileRequest, DownloadObjectRequest, ListFolderRequest, MoveFileRequest,
                        StatFileRequest, StatFolderRequest, UpdateFileRequest, UpdateFolderRequest,
                        UploadFileFromBufferRequest, UploadFileRequest, UploadSliceFileFromBufferRequest,
                        UploadSliceFileRequest)

ENDPOINT = os.environ['STRATUS_ENDPOINT'].rstrip('/')
PORT = int(os.environ.get('STRATUS_PORT') or ENDPOINT.rsplit(':', 1)[1])
HOST = ENDPOINT.split('//', 1)[1].rsplit(':', 1)[0]
AK = os.environ['STRATUS_ACCESS_KEY']
SK = os.environ['STRATUS_SECRET_KEY']
APPID = int(os.environ.get('STRATUS_APPID') or '1250000000')
DOWNLOAD_DOMAIN = os.environ.get('STRATUS_COS_DOWNLOAD_DOMAIN', 'file.localhost')

MB = 1024 * 1024
KB512 = 512 * 1024


def sha1(b):
    return hashlib.sha1(b).hexdigest()


def data_of(n, seed):
    """n deterministic, incompressible-looking bytes."""
    out = bytearray()
    block = hashlib.sha256(b'%d' % seed).digest()
    while len(out) < n:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:n])


def ok(r, what='request'):
    assert isinstance(r, dict) and r.get('code') == 0, '%s: %r' % (what, r)
    return r


def err(r, code, what='request'):
    assert isinstance(r, dict) and r.get('code') == code, '%s: expected code %d, got %r' % (what, code, r)
    return r


# --- set-up: a bucket per module (through S3), the SDK client, download host resolution ------

@pytest.fixture(scope='module')
def s3():
    return boto3.client('s3', endpoint_url=ENDPOINT, aws_access_key_id=AK, aws_secret_access_key=SK,
                        region_name='us-east-1',
                        config=Config(s3={'addressing_style': 'path'}, retries={'max_attempts': 0}, signature_version='s3v4'))


@pytest.fixture(scope='module')
def bucket(s3):
    name = 'cos-interop-%s' % uuid.uuid4().hex[:12]
    s3.create_bucket(Bucket=name)
    yield name
    # Empty the bucket (files, folders, unfinished slice sessions), then remove it.
    for page in s3.get_paginator('list_multipart_uploads').paginate(Bucket=name):
        for u in page.get('Uploads', []):
            s3.abort_multipart_upload(Bucket=name, Key=u['Key'], UploadId=u['UploadId'])
    for page in s3.get_paginator('list_objects_v2').paginate(Bucket=name):
        keys = [{'Key': o['Key']} for o in page.get('Contents', [])]
        if keys:
            s3.delete_objects(Bucket=name, Delete={'Objects': keys})
    s3.delete_bucket(Bucket=name)


def make_client(secret=SK):
    c = CosClient(APPID, AK, secret)
    c.set_config(CosConfig(hostname='%s:%d' % (HOST, PORT), download_hostname='%s:%d' % (DOWNLOAD_DOMAIN, PORT)))
    return c


@pytest.fixture(scope='module')
def cos():
    return make_client()


@pytest.fixture(scope='module', autouse=True)
def download_host_resolves():
    """<bucket>-<appid>.<download domain> resolves to the server, as a wildcard DNS entry would."""
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if isinstance(host, str) and host.endswith('.' + DOWNLOAD_DOMAIN):
            host = HOST
        return real(host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo
    yield
    socket.getaddrinfo = real


@pytest.fixture()
def folder(cos, bucket):
    """A fresh folder for one test."""
    path = '/t-%s/' % uuid.uuid4().hex[:10]
    ok(cos.create_folder(CreateFolderRequest(bucket, path)), 'create folder')
    return path


def local_file(tmp_path, data, name='data.bin'):
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


def sdk_send(cos, bucket, cos_path, fields, once=False):
    """An API operation the SDK has no method for, through its own signing and transport."""
    auth = Auth(cos.get_cred())
    sign = auth.sign_once(bucket, cos_path) if once else auth.sign_more(bucket, cos_path, int(time.time()) + 300)
    headers = {'Authorization': sign, 'User-Agent': cos.get_config().get_user_agent()}
    return cos._file_op.send_request('POST', bucket, cos_path, headers=headers, files=fields, timeout=30)


def slice_request(bucket, path, data):
    """A request for the SDK's slice steps (_upload_slice_data / _finish), used one by one."""
    req = UploadSliceFileFromBufferRequest(bucket, path, data, slice_size=KB512)
    req.sha1_list = None
    req.sha1_content = None
    return req


def download(cos, bucket, cos_path, headers=None):
    return cos.download_object(DownloadObjectRequest(bucket, cos_path, headers=headers or {})).read()


def s3_bytes(s3, bucket, key):
    return s3.get_object(Bucket=bucket, Key=key)['Body'].read()


# --- folders --------------------------------------------------------------------------------

def test_folder_create_stat_update_delete(cos, bucket):
    path = '/folder-%s/' % uuid.uuid4().hex[:8]
    r = ok(cos.create_folder(CreateFolderRequest(bucket, path, biz_attr='made by qcloud_cos')))
    assert r['data']['resource_path'] == '/%d/%s%s' % (APPID, bucket, path)
    assert int(r['data']['ctime']) > 0
    st = ok(cos.stat_folder(StatFolderRequest(bucket, path)))['data']
    assert st['biz_attr'] == 'made by qcloud_cos'
    assert int(st['ctime']) > 0 and int(st['mtime']) > 0
    ok(cos.update_folder(UpdateFolderRequest(bucket, path, biz_attr='changed')))
    assert ok(cos.stat_folder(StatFolderRequest(bucket, path)))['data']['biz_attr'] == 'changed'
    ok(cos.del_folder(DelFolderRequest(bucket, path)))
    err(cos.stat_folder(StatFolderRequest(bucket, path)), -197, 'stat of a deleted folder')


def test_folder_errors(cos, bucket, folder):
    err(cos.create_folder(CreateFolderRequest(bucket, folder)), -178, 'create an existing folder')
    err(cos.create_folder(CreateFolderRequest(bucket, '/no-parent-%s/child/' % uuid.uuid4().hex[:6])), -166, 'create under a missing folder')
    ok(cos.upload_file_from_buffer(UploadFileFromBufferRequest(bucket, folder + 'f.txt', b'x')))
    err(cos.del_folder(DelFolderRequest(bucket, folder)), -173, 'delete a folder that is not empty')
    # The SDK's own checks: a folder path must end with '/'.
    assert cos.create_folder(CreateFolderRequest(bucket, '/no-slash'))['code'] == -1


def test_list_folder_pages_prefix_and_delimiter(cos, bucket, folder):
    ok(cos.create_folder(CreateFolderRequest(bucket, folder + 'sub/')))
    names = ['a%02d.txt' % i for i in range(7)] + ['b.txt']
    for n in names:
        ok(cos.upload_file_from_buffer(UploadFileFromBufferRequest(bucket, folder + n, n.encode())), 'upload ' + n)
    ok(cos.upload_file_from_buffer(UploadFileFromBufferRequest(bucket, folder + 'sub/deep.txt', b'deep')))

    seen, context, pages = [], '', 0
    while True:
        r = ok(cos.list_folder(ListFolderRequest(bucket, folder, num=3, context=context)))['data']
        seen += [x['name'] for x in r['infos']]
        pages += 1
        if not r.get('listover') and r.get('context'):
            context = r['context']
        else:
            break
        assert pages < 20, 'listing never ends'
    assert sorted(seen) == sorted(names + ['sub/']) or sorted(seen) == sorted(names + ['sub'])
    assert pages >= 3

    r = ok(cos.list_folder(ListFolderRequest(bucket, folder, num=199, prefix='a0')))['data']
    assert sorted(x['name'] for x in r['infos']) == ['a%02d.txt' % i for i in range(7)]
    files = [x for x in r['infos'] if x['name'] == 'a00.txt']
    assert files and int(files[0]['filesize']) == len(b'a00.txt') and files[0]['sha'] == sha1(b'a00.txt')

    # The listing stays in this folder: the subfolder is an entry (a folder: no filesize, no sha),
    # its content is not listed. The SDK's delimiter '/' (the only one COS knows) lists the same.
    plain = ok(cos.list_folder(ListFolderRequest(bucket, folder, num=199)))['data']['infos']
    sub = [x for x in plain if x['name'].rstrip('/') == 'sub']
    assert len(sub) == 1 and 'filesize' not in sub[0] and 'sha' not in sub[0]
    assert 'deep.txt' not in [x['name'] for x in plain] and 'sub/deep.txt' not in [x['name'] for x in plain]
    delimited = ok(cos.list_folder(ListFolderRequest(bucket, folder, num=199, delimiter='/')))['data']['infos']
    assert [x['name'] for x in delimited] == [x['name'] for x in plain]


# --- simple upload -----------------------------------------------------------------------------

@pytest.mark.parametrize('verify_sha1', [False, True])
def test_simple_upload_from_file_and_buffer(cos, bucket, folder, tmp_path, s3, verify_sha1):
    data = data_of(300 * 1024 + 5, 1)
    p = local_file(tmp_path, data)
    r = ok(cos.upload_file(UploadFileRequest(bucket, folder + 'file.bin', p, biz_attr='attr', verify_sha1=verify_sha1)))
    assert r['data']['resource_path'] == '/%d/%s%sfile.bin' % (APPID, bucket, folder)
    assert r['data']['access_url'].endswith(folder + 'file.bin')
    ok(cos.upload_single_file(UploadFileRequest(bucket, folder + 'single.bin', p)))
    ok(cos.upload_file_from_buffer(UploadFileFromBufferRequest(bucket, folder + 'buf.bin', data, verify_sha1=verify_sha1)))
    ok(cos.upload_single_file_from_buffer(UploadFileFromBufferRequest(bucket, folder + 'buf1.bin', data)))
    for n in ('file.bin', 'single.bin', 'buf.bin', 'buf1.bin'):
        assert s3_bytes(s3, bucket, (folder + n)[1:]) == data, n
    st = ok(cos.stat_file(StatFileRequest(bucket, folder + 'file.bin')))['data']
    assert st['sha'] == sha1(data) and int(st['filesize']) == len(data) and st['biz_attr'] == 'attr'


def test_simple_upload_insert_only_and_errors(cos, bucket, folder, tmp_path):
    path = folder + 'once.txt'
    ok(cos.upload_file_from_buffer(UploadFileFromBufferRequest(bucket, path, b'first')))
    err(cos.upload_file_from_buffer(UploadFileFromBufferRequest(bucket, path, b'second')), -177, 'insertOnly=1 over a file')
    ok(cos.upload_file_from_buffer(UploadFileFromBufferRequest(bucket, path, b'second', insert_only=0)), 'insertOnly=0 overwrites')
    assert download(cos, bucket, path) == b'second'
    err(cos.upload_file_from_buffer(UploadFileFromBufferRequest(bucket, '/missing-%s/x.txt' % uuid.uuid4().hex[:6], b'x')), -166,
        'upload into a missing folder')
    # The SDK refuses a local file that is not there before sending anything.
    assert cos.upload_file(UploadFileRequest(bucket, folder + 'nofile', str(tmp_path / 'absent')))['code'] != 0


def test_empty_file(cos, bucket, folder, s3):
    ok(cos.upload_file_from_buffer(UploadFileFromBufferRequest(bucket, folder + 'empty', b'')))
    st = ok(cos.stat_file(StatFileRequest(bucket, folder + 'empty')))['data']
    assert int(st['filesize']) == 0 and st['sha'] == sha1(b'')
    assert s3_bytes(s3, bucket, (folder + 'empty')[1:]) == b''


# --- slice upload ------------------------------------------------------------------------------

SLICE_CASES = [
    # (enable_sha1, max_con): the server asks for serial slices (serial_upload=1) unless SHA-1
    # states were declared at init, so max_con > 1 without SHA-1 still goes serially.
    pytest.param(False, 1, id='serial'),
    pytest.param(True, 1, id='serial-sha1'),
    pytest.param(True, 4, id='concurrent-sha1'),
    pytest.param(False, 4, id='concurrent-requested-no-sha1'),
]


@pytest.mark.parametrize('enable_sha1,max_con', SLICE_CASES)
def test_slice_upload_from_file(cos, bucket, folder, tmp_path, s3, enable_sha1, max_con):
    data = data_of(3 * MB + 12345, 2)
    p = local_file(tmp_path, data)
    req = UploadSliceFileRequest(bucket, folder + 'slices.bin', p, slice_size=MB, biz_attr='sliced', enable_sha1=enable_sha1, max_con=max_con)
    r = ok(cos.upload_slice_file(req), 'slice upload')
    assert r['data']['access_url'].endswith(folder + 'slices.bin')
    assert s3_bytes(s3, bucket, (folder + 'slices.bin')[1:]) == data
    st = ok(cos.stat_file(StatFileRequest(bucket, folder + 'slices.bin')))['data']
    assert st['sha'] == sha1(data) and int(st['filesize']) == len(data) and st['biz_attr'] == 'sliced'
    # Finished: upload_slice_list answers with the file's addresses, no session.
    r = ok(sdk_send(cos, bucket, folder + 'slices.bin', {'op': 'upload_slice_list'}))
    assert 'session' not in r['data'] and r['data']['access_url'].endswith(folder + 'slices.bin')


# From a buffer the SDK cannot declare SHA-1 states: with enable_sha1 it fails on its own
# (TypeError on request.sha1_list, never set on that path), before sending anything.
@pytest.mark.parametrize('max_con', [1, 4])
def test_slice_upload_from_buffer(cos, bucket, folder, s3, max_con):
    data = data_of(2 * KB512 + 999, 3)
    req = UploadSliceFileFromBufferRequest(bucket, folder + 'buf-slices.bin', data, slice_size=KB512, max_con=max_con)
    ok(cos.upload_slice_file_from_buffer(req), 'slice upload from buffer')
    assert s3_bytes(s3, bucket, (folder + 'buf-slices.bin')[1:]) == data
    assert ok(cos.stat_file(StatFileRequest(bucket, folder + 'buf-slices.bin')))['data']['sha'] == sha1(data)


def test_upload_file_switches_to_slices_from_8mb(cos, bucket, folder, tmp_path, s3):
    data = data_of(8 * MB + 1, 4)
    p = local_file(tmp_path, data)
    ok(cos.upload_file(UploadFileRequest(bucket, folder + 'big.bin', p, verify_sha1=True)))
    assert hashlib.md5(s3_bytes(s3, bucket, (folder + 'big.bin')[1:])).hexdigest() == hashlib.md5(data).hexdigest()


def test_slice_upload_instant_when_identical(cos, bucket, folder, tmp_path):
    data = data_of(KB512 + 10, 5)
    p = local_file(tmp_path, data)
    ok(cos.upload_slice_file(UploadSliceFileRequest(bucket, folder + 'same.bin', p, slice_size=MB, enable_sha1=True)))
    # The identical file (same SHA-1) is already there: init answers with its addresses at once.
    r = ok(cos.upload_slice_file(UploadSliceFileRequest(bucket, folder + 'same.bin', p, slice_size=MB, enable_sha1=True)))
    assert 'access_url' in r['data']
    # Another file on the same path with insertOnly=1 is refused.
    p2 = local_file(tmp_path, data_of(KB512 + 10, 6), 'other.bin')
    err(cos.upload_slice_file(UploadSliceFileRequest(bucket, folder + 'same.bin', p2, slice_size=KB512)), -177, 'insertOnly over a file')


def test_slice_upload_interrupted_then_listed_and_resumed(cos, bucket, folder, s3):
    """A session the SDK left unfinished: upload_slice_list shows its slices, init reports -4019."""
    data = data_of(3 * KB512, 7)
    path = folder + 'resume.bin'
    fields = {'op': 'upload_slice_init', 'filesize': str(len(data)), 'slice_size': str(KB512), 'biz_attr': '', 'insertOnly': '1'}
    init = ok(sdk_send(cos, bucket, path, fields))['data']
    session = init['session']
    assert init['slice_size'] == KB512 and init['serial_upload'] == 1
    # The SDK's own slice request, as it builds it (filecontent before session and offset).
    req = slice_request(bucket, path, data)
    ok(cos._file_op._upload_slice_data(req, data[:KB512], session, 0))
    listed = ok(sdk_send(cos, bucket, path, {'op': 'upload_slice_list'}))['data']
    assert listed['session'] == session and listed['listparts'] == [{'offset': 0, 'datalen': KB512}]
    err(sdk_send(cos, bucket, path, fields), -4019, 'init of the same file while its session is open')
    for off in (KB512, 2 * KB512):
        ok(cos._file_op._upload_slice_data(req, data[off:off + KB512], session, off))
    ok(cos._file_op._upload_slice_finish(req, session, len(data)))
    assert s3_bytes(s3, bucket, path[1:]) == data


def test_slice_errors(cos, bucket, folder):
    path = folder + 'bad.bin'
    data = data_of(2 * KB512, 8)
    session = ok(sdk_send(cos, bucket, path, {'op': 'upload_slice_init', 'filesize': str(len(data)), 'slice_size': str(KB512)}))['data']['session']
    req = slice_request(bucket, path, data)
    err(cos._file_op._upload_slice_data(req, data[:KB512], 'no-such-session', 0, retry=1), -5983, 'an unknown session')
    err(cos._file_op._upload_slice_data(req, data[:100], session, 100, retry=1), -290, 'an offset that does not start a slice')
    err(cos._file_op._upload_slice_data(req, data[KB512:], session, KB512, retry=1), -290, 'serial: a slice before the one ahead of it')
    ok(cos._file_op._upload_slice_data(req, data[:KB512], session, 0))
    err(cos._file_op._upload_slice_finish(req, session, len(data)), -175, 'finish with a slice missing')
    err(cos._file_op._upload_slice_finish(req, session, len(data) + 1), -175, 'finish with another file size')


# --- file stat, update, delete, move, copy -------------------------------------------------------

def test_stat_file(cos, bucket, folder):
    data = b'stat me'
    before = int(time.time())
    ok(cos.upload_file_from_buffer(UploadFileFromBufferRequest(bucket, folder + 's.txt', data, biz_attr='b')))
    st = ok(cos.stat_file(StatFileRequest(bucket, folder + 's.txt')))['data']
    assert st['name'] == 's.txt'
    assert int(st['filesize']) == len(data) and int(st['filelen']) == len(data)
    assert st['sha'] == sha1(data) and st['biz_attr'] == 'b'
    assert before - 5 <= int(st['ctime']) <= int(time.time()) + 5 and int(st['mtime']) >= int(st['ctime'])
    assert st['access_url'].endswith(folder + 's.txt') and st['source_url'].endswith(folder + 's.txt')
    err(cos.stat_file(StatFileRequest(bucket, folder + 'absent.txt')), -197, 'stat of a missing file')


def test_update_file_attributes_and_custom_headers(cos, bucket, folder):
    path = folder + 'u.txt'
    ok(cos.upload_file_from_buffer(UploadFileFromBufferRequest(bucket, path, b'update me')))
    req = UpdateFileRequest(bucket, path)
    req.set_biz_attr('new attr')
    req.set_authority('eWPrivateRPublic')
    req.set_cache_control('no-cache')
    req.set_content_type('text/plain')
    req.set_content_disposition('attachment; filename="u.txt"')
    req.set_content_language('zh')
    req.set_content_encoding('identity')
    req.set_x_cos_meta('x-cos-meta-owner', 'interop')
    ok(cos.update_file(req))
    st = ok(cos.stat_file(StatFileRequest(bucket, path)))['data']
    assert st['biz_attr'] == 'new attr'
    assert st['authority'] == 'eWPrivateRPublic'
    h = st['custom_headers']
    assert h['Cache-Control'] == 'no-cache' and h['Content-Type'] == 'text/plain'
    assert h['Content-Disposition'] == 'attachment; filename="u.txt"' and h['Content-Language'] == 'zh'
    assert h['Content-Encoding'] == 'identity' and h['x-cos-meta-owner'] == 'interop'
    # A download carries the custom headers.
    raw = cos.download_object(DownloadObjectRequest(bucket, path))
    assert raw.read() == b'update me'
    assert raw.headers['Cache-Control'] == 'no-cache' and raw.headers['Content-Type'] == 'text/plain'
    assert raw.headers['x-cos-meta-owner'] == 'interop'
    # Only biz_attr: the rest stays.
    req = UpdateFileRequest(bucket, path)
    req.set_biz_attr('again')
    ok(cos.update_file(req))
    st = ok(cos.stat_file(StatFileRequest(bucket, path)))['data']
    assert st['biz_attr'] == 'again' and st['custom_headers']['Cache-Control'] == 'no-cache'
    assert st['authority'] == 'eWPrivateRPublic'
    req = UpdateFileRequest(bucket, path)
    req.set_authority('eWRPrivate')
    ok(cos.update_file(req))
    assert ok(cos.stat_file(StatFileRequest(bucket, path)))['data']['authority'] == 'eWRPrivate'


def test_update_file_errors(cos, bucket, folder):
    req = UpdateFileRequest(bucket, folder + 'absent.txt')
    req.set_biz_attr('x')
    err(cos.update_file(req), -197, 'update of a missing file')
    # The SDK checks authority values itself, before sending anything (its code -1: parameter error).
    ok(cos.upload_file_from_buffer(UploadFileFromBufferRequest(bucket, folder + 'auth.txt', b'x')))
    req = UpdateFileRequest(bucket, folder + 'auth.txt')
    req.set_authority('bogus')
    assert cos.update_file(req)['code'] == -1
    # Sent anyway (the same JSON body the SDK builds), the server refuses it.
    sign = Auth(cos.get_cred()).sign_once(bucket, folder + 'auth.txt')
    r = cos._file_op.send_request('POST', bucket, folder + 'auth.txt', headers={'Authorization': sign, 'Content-Type': 'application/json'},
                                  data=json.dumps({'op': 'update', 'authority': 'bogus'}), timeout=30)
    assert r['code'] < 0, r
    assert ok(cos.stat_file(StatFileRequest(bucket, folder + 'auth.txt')))['data'].get('authority', 'eInvalid') == 'eInvalid'


def test_delete_file(cos, bucket, folder, s3):
    path = folder + 'd.txt'
    ok(cos.upload_file_from_buffer(UploadFileFromBufferRequest(bucket, path, b'delete me')))
    ok(cos.del_file(DelFileRequest(bucket, path)))
    err(cos.stat_file(StatFileRequest(bucket, path)), -197, 'stat after delete')
    assert 'Contents' not in s3.list_objects_v2(Bucket=bucket, Prefix=path[1:])
    err(cos.del_file(DelFileRequest(bucket, path)), -197, 'delete of a missing file')


def test_move_file(cos, bucket, folder, s3):
    ok(cos.create_folder(CreateFolderRequest(bucket, folder + 'dest/')))
    ok(cos.upload_file_from_buffer(UploadFileFromBufferRequest(bucket, folder + 'm.txt', b'move me', biz_attr='kept')))
    # Relative name: stays in the folder.
    ok(cos.move_file(MoveFileRequest(bucket, folder + 'm.txt', 'renamed.txt')))
    err(cos.stat_file(StatFileRequest(bucket, folder + 'm.txt')), -197, 'the source is gone')
    st = ok(cos.stat_file(StatFileRequest(bucket, folder + 'renamed.txt')))['data']
    assert st['biz_attr'] == 'kept' and st['sha'] == sha1(b'move me')
    # Full path into another folder.
    ok(cos.move_file(MoveFileRequest(bucket, folder + 'renamed.txt', folder + 'dest/moved.txt')))
    assert s3_bytes(s3, bucket, (folder + 'dest/moved.txt')[1:]) == b'move me'
    # Onto an existing file: refused without overwrite, done with it.
    ok(cos.upload_file_from_buffer(UploadFileFromBufferRequest(bucket, folder + 'other.txt', b'other')))
    r = cos.move_file(MoveFileRequest(bucket, folder + 'other.txt', folder + 'dest/moved.txt'))
    assert r['code'] != 0, r
    assert s3_bytes(s3, bucket, (folder + 'dest/moved.txt')[1:]) == b'move me'
    ok(cos.move_file(MoveFileRequest(bucket, folder + 'other.txt', folder + 'dest/moved.txt', overwrite=True)))
    assert s3_bytes(s3, bucket, (folder + 'dest/moved.txt')[1:]) == b'other'
    err(cos.move_file(MoveFileRequest(bucket, folder + 'absent.txt', 'x.txt')), -197, 'move of a missing file')


def test_copy_file(cos, bucket, folder, s3):
    ok(cos.upload_file_from_buffer(UploadFileFromBufferRequest(bucket, folder + 'c.txt', b'copy me', biz_attr='copied attr')))
    ok(sdk_send(cos, bucket, folder + 'c.txt', {'op': 'copy', 'dest_fileid': 'c2.txt'}, once=True))
    assert s3_bytes(s3, bucket, (folder + 'c.txt')[1:]) == b'copy me', 'the source stays'
    st = ok(cos.stat_file(StatFileRequest(bucket, folder + 'c2.txt')))['data']
    assert st['sha'] == sha1(b'copy me') and st['biz_attr'] == 'copied attr'
    r = sdk_send(cos, bucket, folder + 'c.txt', {'op': 'copy', 'dest_fileid': 'c2.txt', 'to_over_write': '0'}, once=True)
    assert r['code'] != 0, r
    ok(cos.upload_file_from_buffer(UploadFileFromBufferRequest(bucket, folder + 'c3.txt', b'new')))
    ok(sdk_send(cos, bucket, folder + 'c3.txt', {'op': 'copy', 'dest_fileid': folder + 'c2.txt', 'to_over_write': '1'}, once=True))
    assert s3_bytes(s3, bucket, (folder + 'c2.txt')[1:]) == b'new'


# --- download ---------------------------------------------------------------------------------

def test_download_signed_whole_and_ranged(cos, bucket, folder, tmp_path):
    data = data_of(200 * 1024 + 3, 9)
    path = folder + 'dl.bin'
    ok(cos.upload_file_from_buffer(UploadFileFromBufferRequest(bucket, path, data)))
    target = str(tmp_path / 'out.bin')
    ok(cos.download_file(DownloadFileRequest(bucket, path, target)))
    with open(target, 'rb') as f:
        assert f.read() == data
    assert download(cos, bucket, path) == data
    assert download(cos, bucket, path, {'Range': 'bytes=100-199'}) == data[100:200]
    assert download(cos, bucket, path, {'Range': 'bytes=-10'}) == data[-10:]


def test_download_errors(cos, bucket, folder, tmp_path):
    # A missing file: the SDK raises (download_object) or reports code 1 (download_file).
    with pytest.raises(IOError, match='404'):
        cos.download_object(DownloadObjectRequest(bucket, folder + 'absent.bin'))
    r = cos.download_file(DownloadFileRequest(bucket, folder + 'absent.bin', str(tmp_path / 'x')))
    assert r['code'] == 1 and '404' in r['message']
    ok(cos.upload_file_from_buffer(UploadFileFromBufferRequest(bucket, folder + 'p.bin', b'private')))
    # Unsigned or wrongly signed: refused.
    url = 'http://%s-%d.%s:%d%sp.bin' % (bucket, APPID, DOWNLOAD_DOMAIN, PORT, folder)
    assert requests.get(url, timeout=30).status_code == 403
    with pytest.raises(IOError, match='403'):
        make_client(secret='wrong-secret').download_object(DownloadObjectRequest(bucket, folder + 'p.bin'))


# --- authentication errors as the SDK surfaces them -------------------------------------------------

def test_wrong_secret_is_refused(bucket, folder):
    bad = make_client(secret='wrong-secret')
    err(bad.stat_folder(StatFolderRequest(bucket, folder)), -97, 'a signature made with the wrong secret')
    err(bad.upload_file_from_buffer(UploadFileFromBufferRequest(bucket, folder + 'nope.txt', b'x')), -97, 'upload with a wrong signature')


def test_single_use_signature_cannot_be_replayed(cos, bucket, folder):
    path = folder + 'replay.txt'
    ok(cos.upload_file_from_buffer(UploadFileFromBufferRequest(bucket, path, b'x')))
    sign = Auth(cos.get_cred()).sign_once(bucket, path)
    headers = {'Authorization': sign, 'Content-Type': 'application/json'}
    ok(cos._file_op.send_request('POST', bucket, path, headers=headers, data=json.dumps({'op': 'delete'}), timeout=30))
    ok(cos.upload_file_from_buffer(UploadFileFromBufferRequest(bucket, path, b'y')))
    err(cos._file_op.send_request('POST', bucket, path, headers=headers, data=json.dumps({'op': 'delete'}), timeout=30), -77,
        'a single-use signature used twice')


# --- authority: unsigned downloads (plain urllib, no SDK) ---------------------------------------------

def _unsigned_status(url):
    import urllib.error
    import urllib.request
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_authority_decides_unsigned_downloads(cos, bucket, folder):
    """eWPrivateRPublic downloads without a signature; eWRPrivate and eInvalid (in a private bucket) do not.
    The public case is the authorizer's AllUsers decision."""
    for name, authority in (('pub.txt', 'eWPrivateRPublic'), ('priv.txt', 'eWRPrivate'), ('inh.txt', 'eInvalid')):
        ok(cos.upload_file_from_buffer(UploadFileFromBufferRequest(bucket, folder + name, name.encode())))
        req = UpdateFileRequest(bucket, folder + name)
        req.set_authority(authority)
        ok(cos.update_file(req))
    url = 'http://%s-%d.%s:%d%s' % (bucket, APPID, DOWNLOAD_DOMAIN, PORT, folder)
    assert _unsigned_status(url + 'priv.txt')[0] == 403
    assert _unsigned_status(url + 'inh.txt')[0] == 403
    # A broken signature is refused, never served as if unsigned.
    assert _unsigned_status(url + 'pub.txt?sign=garbage')[0] in (400, 403)
    assert _unsigned_status(url + 'pub.txt') == (200, b'pub.txt')
