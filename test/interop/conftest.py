"""Shared fixtures of the interop tests (run by `npm run test:interop`, scripts/run-interop.js).

The server is started by the runner; these fixtures read where it is from the environment:
STRATUS_ENDPOINT (http://127.0.0.1:PORT), STRATUS_PORT, STRATUS_ACCESS_KEY, STRATUS_SECRET_KEY,
STRATUS_APPID. Nothing here is autouse and the SDKs are imported inside the fixtures, so a test
file needs only the fixtures it names.
"""
import os
import socket
import uuid

import pytest


def _env(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f'{name} is not set: run the interop tests with `npm run test:interop`', pytrace=False)
    return value


@pytest.fixture(scope='session')
def endpoint():
    return _env('STRATUS_ENDPOINT')


@pytest.fixture(scope='session')
def port():
    return int(_env('STRATUS_PORT'))


@pytest.fixture(scope='session')
def access_key():
    return _env('STRATUS_ACCESS_KEY')


@pytest.fixture(scope='session')
def secret_key():
    return _env('STRATUS_SECRET_KEY')


@pytest.fixture(scope='session')
def appid():
    return _env('STRATUS_APPID')


@pytest.fixture(scope='session')
def s3(endpoint, access_key, secret_key):
    """A boto3 S3 client (path style, SigV4, no retries, so a failure shows on the first answer)."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        's3',
        endpoint_url=endpoint,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        region_name='us-east-1',
        config=Config(s3={'addressing_style': 'path'}, retries={'max_attempts': 1, 'mode': 'standard'}, signature_version='s3v4'),
    )


def new_bucket_name(tag='b'):
    """A valid bucket name for every dialect (lowercase letters, digits, hyphens; at most 63)."""
    tag = ''.join(c if c.isalnum() else '-' for c in tag.lower()).strip('-')[:40] or 'b'
    return f'it-{tag}-{uuid.uuid4().hex[:12]}'


def empty_bucket(s3, name):
    """Deletes every version, delete marker and unfinished multipart upload of a bucket."""
    # One DeleteObject per version rather than DeleteObjects: the clean-up must not depend on the
    # XML body a test may be exercising.
    versions = [(v['Key'], v['VersionId'])
                for page in s3.get_paginator('list_object_versions').paginate(Bucket=name)
                for v in page.get('Versions', []) + page.get('DeleteMarkers', [])]
    for key, version_id in versions:
        s3.delete_object(Bucket=name, Key=key, VersionId=version_id)
    for page in s3.get_paginator('list_multipart_uploads').paginate(Bucket=name):
        for u in page.get('Uploads', []):
            s3.abort_multipart_upload(Bucket=name, Key=u['Key'], UploadId=u['UploadId'])


@pytest.fixture
def bucket(s3, request):
    """A fresh bucket created through boto3; emptied and deleted after the test."""
    name = new_bucket_name(request.node.name.split('[')[0].removeprefix('test_'))
    s3.create_bucket(Bucket=name)
    yield name
    empty_bucket(s3, name)
    s3.delete_bucket(Bucket=name)


@pytest.fixture
def localhost_subdomains(monkeypatch):
    """Names under `localhost` resolve to 127.0.0.1 in this process, as RFC 6761 wants of every
    resolver (glibc without systemd-resolved answers only `localhost` itself). Clients that put the
    bucket in the host name (OBS's own signature mode) then reach the server by name."""
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if isinstance(host, str) and host.endswith('.localhost'):
            host = '127.0.0.1'
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, 'getaddrinfo', getaddrinfo)
