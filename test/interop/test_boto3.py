"""boto3 (the AWS SDK for Python) against Stratus' S3 dialect: core S3 and presigned URLs."""
import hashlib
import io
import urllib.request

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import empty_bucket, new_bucket_name


def code_of(e):
    return e.value.response['Error']['Code']


def status_of(e):
    return e.value.response['ResponseMetadata']['HTTPStatusCode']


def body(s3, bucket, key, **kw):
    return s3.get_object(Bucket=bucket, Key=key, **kw)['Body'].read()


def test_buckets_create_head_list_location_delete(s3):
    name = new_bucket_name('buckets')
    s3.create_bucket(Bucket=name)
    try:
        s3.head_bucket(Bucket=name)
        listed = s3.list_buckets()
        assert name in [b['Name'] for b in listed['Buckets']]
        assert listed['Owner']['ID']
        # No LocationConstraint: the default region, reported empty as S3 does for us-east-1.
        assert s3.get_bucket_location(Bucket=name).get('LocationConstraint') in (None, '')
        # Re-creating an owned bucket in us-east-1 answers 200 (AWS's legacy rule); elsewhere 409.
        s3.create_bucket(Bucket=name)
        other = new_bucket_name('buckets-eu')
        s3.create_bucket(Bucket=other, CreateBucketConfiguration={'LocationConstraint': 'eu-west-1'})
        try:
            with pytest.raises(ClientError) as e:
                s3.create_bucket(Bucket=other, CreateBucketConfiguration={'LocationConstraint': 'eu-west-1'})
            assert code_of(e) == 'BucketAlreadyOwnedByYou'
        finally:
            s3.delete_bucket(Bucket=other)
        s3.put_object(Bucket=name, Key='k', Body=b'x')
        with pytest.raises(ClientError) as e:
            s3.delete_bucket(Bucket=name)
        assert code_of(e) == 'BucketNotEmpty'
        s3.delete_object(Bucket=name, Key='k')
    finally:
        empty_bucket(s3, name)
        s3.delete_bucket(Bucket=name)
    with pytest.raises(ClientError) as e:
        s3.head_bucket(Bucket=name)
    assert status_of(e) == 404
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket='Bad_Name')
    assert code_of(e) == 'InvalidBucketName'


def test_bucket_with_only_unfinished_uploads_is_deleted(s3):
    # AWS deletes the bucket and its uploads; s3-tests' clean-up relies on it (issue 11 item 5).
    name = new_bucket_name('mpu-only')
    s3.create_bucket(Bucket=name)
    up = s3.create_multipart_upload(Bucket=name, Key='left-over')['UploadId']
    s3.upload_part(Bucket=name, Key='left-over', UploadId=up, PartNumber=1, Body=b'p' * 1024)
    s3.delete_bucket(Bucket=name)
    with pytest.raises(ClientError) as e:
        s3.head_bucket(Bucket=name)
    assert status_of(e) == 404


def test_put_get_head_delete(s3, bucket):
    data = bytes(range(256)) * 1000
    r = s3.put_object(Bucket=bucket, Key='dir/obj.bin', Body=data, ContentType='application/x-test', Metadata={'colour': 'blue'})
    assert r['ETag'] == '"%s"' % hashlib.md5(data).hexdigest()
    h = s3.head_object(Bucket=bucket, Key='dir/obj.bin')
    assert h['ContentLength'] == len(data)
    assert h['ContentType'] == 'application/x-test'
    assert h['Metadata'] == {'colour': 'blue'}
    assert body(s3, bucket, 'dir/obj.bin') == data
    assert body(s3, bucket, 'dir/obj.bin', Range='bytes=10-19') == data[10:20]
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key='dir/obj.bin', IfNoneMatch=r['ETag'])
    assert status_of(e) == 304
    s3.delete_object(Bucket=bucket, Key='dir/obj.bin')
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key='dir/obj.bin')
    assert code_of(e) == 'NoSuchKey'
    # Deleting a missing key succeeds, as in S3.
    s3.delete_object(Bucket=bucket, Key='never-there')


def test_upload_download_fileobj(s3, bucket):
    data = b'0123456789abcdef' * 65536  # 1 MiB
    s3.upload_fileobj(io.BytesIO(data), bucket, 'f.bin')
    out = io.BytesIO()
    s3.download_fileobj(bucket, 'f.bin', out)
    assert out.getvalue() == data


def test_copy_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key='src', Body=b'copy me', Metadata={'a': '1'})
    s3.copy_object(Bucket=bucket, Key='dst', CopySource={'Bucket': bucket, 'Key': 'src'})
    assert body(s3, bucket, 'dst') == b'copy me'
    assert s3.head_object(Bucket=bucket, Key='dst')['Metadata'] == {'a': '1'}
    s3.copy_object(Bucket=bucket, Key='dst2', CopySource={'Bucket': bucket, 'Key': 'src'}, MetadataDirective='REPLACE', Metadata={'b': '2'})
    assert s3.head_object(Bucket=bucket, Key='dst2')['Metadata'] == {'b': '2'}
    # A key that needs escaping in x-amz-copy-source.
    s3.put_object(Bucket=bucket, Key='odd key+é', Body=b'odd')
    s3.copy_object(Bucket=bucket, Key='odd-copy', CopySource={'Bucket': bucket, 'Key': 'odd key+é'})
    assert body(s3, bucket, 'odd-copy') == b'odd'


KEYS = ['a/1', 'a/2', 'a/b/3', 'b/4', 'c', 'd']


@pytest.fixture
def listed(s3, bucket):
    for k in KEYS:
        s3.put_object(Bucket=bucket, Key=k, Body=k.encode())
    return bucket


def test_list_objects_v1_delimiter_and_pagination(s3, listed):
    r = s3.list_objects(Bucket=listed, Delimiter='/')
    assert [o['Key'] for o in r.get('Contents', [])] == ['c', 'd']
    assert [p['Prefix'] for p in r['CommonPrefixes']] == ['a/', 'b/']
    r = s3.list_objects(Bucket=listed, Prefix='a/', Delimiter='/')
    assert [o['Key'] for o in r['Contents']] == ['a/1', 'a/2']
    assert [p['Prefix'] for p in r['CommonPrefixes']] == ['a/b/']
    keys, marker = [], ''
    while True:
        r = s3.list_objects(Bucket=listed, MaxKeys=2, Marker=marker)
        keys += [o['Key'] for o in r.get('Contents', [])]
        if not r['IsTruncated']:
            break
        marker = r.get('NextMarker') or r['Contents'][-1]['Key']
    assert keys == KEYS
    assert [o['Key'] for p in s3.get_paginator('list_objects').paginate(Bucket=listed, PaginationConfig={'PageSize': 4}) for o in p['Contents']] == KEYS


def test_list_objects_v2_delimiter_and_pagination(s3, listed):
    r = s3.list_objects_v2(Bucket=listed, Delimiter='/')
    assert r['KeyCount'] == 4
    assert [p['Prefix'] for p in r['CommonPrefixes']] == ['a/', 'b/']
    pages = list(s3.get_paginator('list_objects_v2').paginate(Bucket=listed, PaginationConfig={'PageSize': 2}))
    assert len(pages) == 3
    assert [o['Key'] for p in pages for o in p['Contents']] == KEYS
    r = s3.list_objects_v2(Bucket=listed, StartAfter='b/4')
    assert [o['Key'] for o in r['Contents']] == ['c', 'd']
    # An empty continuation token lists from the start and is echoed (issue 11 item 2).
    r = s3.list_objects_v2(Bucket=listed, ContinuationToken='')
    assert r['ContinuationToken'] == ''
    assert [o['Key'] for o in r['Contents']] == KEYS
    r = s3.list_objects_v2(Bucket=listed, Prefix='a/', Delimiter='/', FetchOwner=True)
    assert [o['Key'] for o in r['Contents']] == ['a/1', 'a/2']
    assert r['Contents'][0]['Owner']['ID']


def test_multipart_upload(s3, bucket):
    part = 5 * 1024 * 1024
    chunks = [bytes([i]) * part for i in range(2)] + [b'tail']
    up = s3.create_multipart_upload(Bucket=bucket, Key='mpu', Metadata={'m': 'v'})['UploadId']
    assert [u['UploadId'] for u in s3.list_multipart_uploads(Bucket=bucket)['Uploads']] == [up]
    etags = [s3.upload_part(Bucket=bucket, Key='mpu', UploadId=up, PartNumber=i + 1, Body=c)['ETag'] for i, c in enumerate(chunks)]
    parts = s3.list_parts(Bucket=bucket, Key='mpu', UploadId=up, MaxParts=2)
    assert [p['PartNumber'] for p in parts['Parts']] == [1, 2] and parts['IsTruncated']
    rest = s3.list_parts(Bucket=bucket, Key='mpu', UploadId=up, PartNumberMarker=parts['NextPartNumberMarker'])
    assert [(p['PartNumber'], p['Size']) for p in rest['Parts']] == [(3, 4)]
    done = s3.complete_multipart_upload(Bucket=bucket, Key='mpu', UploadId=up,
                                        MultipartUpload={'Parts': [{'PartNumber': i + 1, 'ETag': e} for i, e in enumerate(etags)]})
    assert done['ETag'].strip('"').endswith('-3')
    assert body(s3, bucket, 'mpu') == b''.join(chunks)
    assert s3.head_object(Bucket=bucket, Key='mpu')['Metadata'] == {'m': 'v'}
    assert s3.list_multipart_uploads(Bucket=bucket).get('Uploads', []) == []
    # Abort.
    up2 = s3.create_multipart_upload(Bucket=bucket, Key='gone')['UploadId']
    s3.upload_part(Bucket=bucket, Key='gone', UploadId=up2, PartNumber=1, Body=b'x')
    s3.abort_multipart_upload(Bucket=bucket, Key='gone', UploadId=up2)
    with pytest.raises(ClientError) as e:
        s3.list_parts(Bucket=bucket, Key='gone', UploadId=up2)
    assert code_of(e) == 'NoSuchUpload'


def test_transfer_manager_multipart(s3, bucket, tmp_path):
    from boto3.s3.transfer import TransferConfig
    data = bytes(range(251)) * (12 * 1024 * 1024 // 251)
    src = tmp_path / 'src.bin'
    src.write_bytes(data)
    cfg = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024, max_concurrency=3)
    s3.upload_file(str(src), bucket, 'big.bin', Config=cfg)
    dst = tmp_path / 'dst.bin'
    s3.download_file(bucket, 'big.bin', str(dst), Config=cfg)
    assert dst.read_bytes() == data


def test_delete_objects_with_odd_keys(s3, bucket):
    keys = ['plain', ' spaced ', 'nl\n', 'tab\tkey', 'amp&lt;', 'unicode-é', 'a/b/c']
    for k in keys:
        s3.put_object(Bucket=bucket, Key=k, Body=b'x')
    assert sorted(o['Key'] for o in s3.list_objects_v2(Bucket=bucket)['Contents']) == sorted(keys)
    r = s3.delete_objects(Bucket=bucket, Delete={'Objects': [{'Key': k} for k in keys[1:]] + [{'Key': 'missing'}]})
    assert sorted(d['Key'] for d in r['Deleted']) == sorted(keys[1:] + ['missing']), (r['Deleted'], r.get('Errors'))
    assert not r.get('Errors')
    assert [o['Key'] for o in s3.list_objects_v2(Bucket=bucket)['Contents']] == ['plain']
    r = s3.delete_objects(Bucket=bucket, Delete={'Objects': [{'Key': 'plain'}], 'Quiet': True})
    assert not r.get('Deleted')
    assert s3.list_objects_v2(Bucket=bucket)['KeyCount'] == 0


def test_tagging(s3, bucket):
    s3.put_object(Bucket=bucket, Key='t', Body=b'x', Tagging='a=1&b=two')
    assert sorted((t['Key'], t['Value']) for t in s3.get_object_tagging(Bucket=bucket, Key='t')['TagSet']) == [('a', '1'), ('b', 'two')]
    s3.put_object_tagging(Bucket=bucket, Key='t', Tagging={'TagSet': [{'Key': 'c', 'Value': '3'}]})
    assert s3.get_object_tagging(Bucket=bucket, Key='t')['TagSet'] == [{'Key': 'c', 'Value': '3'}]
    s3.delete_object_tagging(Bucket=bucket, Key='t')
    assert s3.get_object_tagging(Bucket=bucket, Key='t')['TagSet'] == []
    s3.put_bucket_tagging(Bucket=bucket, Tagging={'TagSet': [{'Key': 'team', 'Value': 'storage'}]})
    assert s3.get_bucket_tagging(Bucket=bucket)['TagSet'] == [{'Key': 'team', 'Value': 'storage'}]
    s3.delete_bucket_tagging(Bucket=bucket)
    with pytest.raises(ClientError) as e:
        s3.get_bucket_tagging(Bucket=bucket)
    assert code_of(e) == 'NoSuchTagSet'


def test_versioning(s3, bucket):
    assert 'Status' not in s3.get_bucket_versioning(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={'Status': 'Enabled'})
    assert s3.get_bucket_versioning(Bucket=bucket)['Status'] == 'Enabled'
    v1 = s3.put_object(Bucket=bucket, Key='k', Body=b'one')['VersionId']
    v2 = s3.put_object(Bucket=bucket, Key='k', Body=b'two')['VersionId']
    assert v1 != v2
    assert body(s3, bucket, 'k') == b'two'
    assert body(s3, bucket, 'k', VersionId=v1) == b'one'
    d = s3.delete_object(Bucket=bucket, Key='k')
    assert d['DeleteMarker'] is True
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key='k')
    assert code_of(e) == 'NoSuchKey'
    r = s3.list_object_versions(Bucket=bucket)
    assert [v['VersionId'] for v in r['Versions']] == [v2, v1]
    assert [m['VersionId'] for m in r['DeleteMarkers']] == [d['VersionId']]
    assert r['DeleteMarkers'][0]['IsLatest']
    # Removing the marker brings the newest version back.
    s3.delete_object(Bucket=bucket, Key='k', VersionId=d['VersionId'])
    assert body(s3, bucket, 'k') == b'two'
    s3.delete_object(Bucket=bucket, Key='k', VersionId=v2)
    assert body(s3, bucket, 'k') == b'one'
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={'Status': 'Suspended'})
    assert s3.put_object(Bucket=bucket, Key='k', Body=b'null').get('VersionId') in (None, 'null')
    assert {v['VersionId'] for v in s3.list_object_versions(Bucket=bucket, Prefix='k')['Versions']} == {v1, 'null'}


def test_presigned_get_and_put(s3, bucket, endpoint, access_key, secret_key):
    put_url = s3.generate_presigned_url('put_object', Params={'Bucket': bucket, 'Key': 'signed/up load.txt'}, ExpiresIn=300)
    r = requests.put(put_url, data=b'sent with a presigned URL')
    assert r.status_code == 200, r.text
    get_url = s3.generate_presigned_url('get_object', Params={'Bucket': bucket, 'Key': 'signed/up load.txt'}, ExpiresIn=300)
    with urllib.request.urlopen(get_url) as resp:
        assert resp.read() == b'sent with a presigned URL'
    # Response overrides are part of the signature.
    url = s3.generate_presigned_url('get_object', Params={'Bucket': bucket, 'Key': 'signed/up load.txt', 'ResponseContentType': 'text/x-override'}, ExpiresIn=300)
    r = requests.get(url)
    assert r.status_code == 200 and r.headers['Content-Type'] == 'text/x-override'
    # A tampered URL is refused.
    r = requests.get(get_url.replace('signed/', 'signed/x'))
    assert r.status_code == 403 and b'SignatureDoesNotMatch' in r.content
    # SigV2 presigned URLs as well.
    import boto3
    from botocore.config import Config
    v2 = boto3.client('s3', endpoint_url=endpoint, aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                      region_name='us-east-1', config=Config(s3={'addressing_style': 'path'}, signature_version='s3'))
    r = requests.get(v2.generate_presigned_url('get_object', Params={'Bucket': bucket, 'Key': 'signed/up load.txt'}, ExpiresIn=300))
    assert r.status_code == 200 and r.content == b'sent with a presigned URL'


def test_presigned_post(s3, bucket):
    post = s3.generate_presigned_post(bucket, 'form/${filename}', Conditions=[['starts-with', '$key', 'form/']], ExpiresIn=300)
    r = requests.post(post['url'], data=post['fields'], files={'file': ('hello.txt', b'posted')})
    assert r.status_code in (200, 204), r.text
    assert body(s3, bucket, 'form/hello.txt') == b'posted'


def test_bucket_cors_and_preflight(s3, bucket, endpoint):
    with pytest.raises(ClientError) as e:
        s3.get_bucket_cors(Bucket=bucket)
    assert code_of(e) == 'NoSuchCORSConfiguration' and status_of(e) == 404
    rules = [{'ID': 'web', 'AllowedOrigins': ['https://app.example'], 'AllowedMethods': ['GET', 'PUT'], 'AllowedHeaders': ['*'],
              'ExposeHeaders': ['ETag'], 'MaxAgeSeconds': 300}]
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={'CORSRules': rules})
    assert s3.get_bucket_cors(Bucket=bucket)['CORSRules'] == rules
    r = requests.options(f'{endpoint}/{bucket}/k', headers={'Origin': 'https://app.example', 'Access-Control-Request-Method': 'PUT',
                                                            'Access-Control-Request-Headers': 'content-type'})
    assert r.status_code == 200
    assert r.headers['Access-Control-Allow-Origin'] == 'https://app.example'
    assert r.headers['Access-Control-Max-Age'] == '300'
    r = requests.options(f'{endpoint}/{bucket}/k', headers={'Origin': 'https://evil.example', 'Access-Control-Request-Method': 'GET'})
    assert r.status_code == 403 and b'<Code>AccessForbidden</Code>' in r.content
    # Bad input: the S3 error, and the stored rules unchanged.
    for cfg, code in [({'CORSRules': [{'AllowedOrigins': ['*'], 'AllowedMethods': ['PATCH']}]}, 'InvalidRequest'),
                      ({'CORSRules': [{'AllowedOrigins': ['*'], 'AllowedMethods': ['GET']}] * 101}, 'MalformedXML'),
                      ({'CORSRules': [{'AllowedOrigins': ['*.*.example'], 'AllowedMethods': ['GET']}]}, 'InvalidRequest')]:
        with pytest.raises(ClientError) as e:
            s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=cfg)
        assert code_of(e) == code and status_of(e) == 400
    assert s3.get_bucket_cors(Bucket=bucket)['CORSRules'] == rules
    s3.delete_bucket_cors(Bucket=bucket)
    with pytest.raises(ClientError) as e:
        s3.get_bucket_cors(Bucket=bucket)
    assert code_of(e) == 'NoSuchCORSConfiguration'


def test_bucket_website(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.get_bucket_website(Bucket=bucket)
    assert code_of(e) == 'NoSuchWebsiteConfiguration' and status_of(e) == 404
    cfg = {'IndexDocument': {'Suffix': 'index.html'}, 'ErrorDocument': {'Key': 'error.html'},
           'RoutingRules': [{'Condition': {'KeyPrefixEquals': 'docs/'}, 'Redirect': {'ReplaceKeyPrefixWith': 'documents/', 'HttpRedirectCode': '302'}}]}
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=cfg)
    got = s3.get_bucket_website(Bucket=bucket)
    assert got['IndexDocument'] == cfg['IndexDocument'] and got['ErrorDocument'] == cfg['ErrorDocument']
    assert got['RoutingRules'] == cfg['RoutingRules']
    with pytest.raises(ClientError) as e:
        s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={'IndexDocument': {'Suffix': 'index.html'}, 'RedirectAllRequestsTo': {'HostName': 'example.com'}})
    assert code_of(e) == 'InvalidArgument' and status_of(e) == 400
    assert s3.get_bucket_website(Bucket=bucket)['IndexDocument'] == {'Suffix': 'index.html'}
    s3.delete_bucket_website(Bucket=bucket)
    with pytest.raises(ClientError) as e:
        s3.get_bucket_website(Bucket=bucket)
    assert code_of(e) == 'NoSuchWebsiteConfiguration'


def test_bucket_policy_public_access_block_and_ownership(s3):
    """Bucket policies, policy status, the public access block and ownership controls through boto3.
    (A second account's refusal is tested in test/authz once accounts can be created over the admin API.)"""
    import json
    name = new_bucket_name('policy')
    s3.create_bucket(Bucket=name)
    try:
        with pytest.raises(ClientError) as e:
            s3.get_bucket_policy(Bucket=name)
        assert (code_of(e), status_of(e)) == ('NoSuchBucketPolicy', 404)
        policy = json.dumps({'Version': '2012-10-17', 'Statement': [{
            'Effect': 'Allow', 'Principal': {'AWS': '*'}, 'Action': 's3:ListBucket', 'Resource': f'arn:aws:s3:::{name}'}]})
        assert s3.get_bucket_policy_status(Bucket=name)['PolicyStatus']['IsPublic'] is False
        s3.put_bucket_policy(Bucket=name, Policy=policy)
        assert s3.get_bucket_policy(Bucket=name)['Policy'] == policy
        assert s3.get_bucket_policy_status(Bucket=name)['PolicyStatus']['IsPublic'] is True
        # Malformed: refused with a message that says what, and the stored policy stays.
        with pytest.raises(ClientError) as e:
            s3.put_bucket_policy(Bucket=name, Policy=json.dumps({'Version': '2012-10-17', 'Statement': [{
                'Effect': 'Allow', 'Action': 's3:GetObject', 'Resource': f'arn:aws:s3:::{name}/*'}]}))
        assert (code_of(e), status_of(e)) == ('MalformedPolicy', 400)
        assert 'Principal' in e.value.response['Error']['Message']
        assert s3.get_bucket_policy(Bucket=name)['Policy'] == policy
        s3.delete_bucket_policy(Bucket=name)
        with pytest.raises(ClientError) as e:
            s3.get_bucket_policy(Bucket=name)
        assert code_of(e) == 'NoSuchBucketPolicy'

        conf = {'BlockPublicAcls': True, 'IgnorePublicAcls': False, 'BlockPublicPolicy': True, 'RestrictPublicBuckets': False}
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=conf)
        assert s3.get_public_access_block(Bucket=name)['PublicAccessBlockConfiguration'] == conf
        with pytest.raises(ClientError) as e:
            s3.put_bucket_acl(Bucket=name, ACL='public-read')
        assert status_of(e) == 403
        with pytest.raises(ClientError) as e:
            s3.put_bucket_policy(Bucket=name, Policy=policy)
        assert status_of(e) == 403
        s3.delete_public_access_block(Bucket=name)
        with pytest.raises(ClientError) as e:
            s3.get_public_access_block(Bucket=name)
        assert code_of(e) == 'NoSuchPublicAccessBlockConfiguration'

        with pytest.raises(ClientError) as e:
            s3.get_bucket_ownership_controls(Bucket=name)
        assert (code_of(e), status_of(e)) == ('OwnershipControlsNotFoundError', 404)
        s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls={'Rules': [{'ObjectOwnership': 'BucketOwnerEnforced'}]})
        assert s3.get_bucket_ownership_controls(Bucket=name)['OwnershipControls']['Rules'] == [{'ObjectOwnership': 'BucketOwnerEnforced'}]
        with pytest.raises(ClientError) as e:
            s3.put_object(Bucket=name, Key='k', Body=b'x', ACL='public-read')
        assert (code_of(e), status_of(e)) == ('AccessControlListNotSupported', 400)
        s3.put_object(Bucket=name, Key='k', Body=b'x')
        s3.delete_bucket_ownership_controls(Bucket=name)
    finally:
        empty_bucket(s3, name)
        s3.delete_bucket(Bucket=name)


def test_unsigned_client_on_public_and_private_buckets(s3, bucket, endpoint):
    """boto3 with signature_version=UNSIGNED: reads what the ACLs grant AllUsers, writes only where they grant WRITE."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config
    anon = boto3.client('s3', endpoint_url=endpoint, region_name='us-east-1',
                        config=Config(signature_version=UNSIGNED, s3={'addressing_style': 'path'}, retries={'max_attempts': 1, 'mode': 'standard'}))
    s3.put_object(Bucket=bucket, Key='open.txt', Body=b'public', ACL='public-read')
    s3.put_object(Bucket=bucket, Key='closed.txt', Body=b'private')
    assert anon.get_object(Bucket=bucket, Key='open.txt')['Body'].read() == b'public'
    for call in (lambda: anon.get_object(Bucket=bucket, Key='closed.txt'),
                 lambda: anon.list_objects_v2(Bucket=bucket),
                 lambda: anon.put_object(Bucket=bucket, Key='new.txt', Body=b'x')):
        with pytest.raises(ClientError) as e:
            call()
        assert e.value.response['Error']['Code'] == 'AccessDenied'
    s3.put_bucket_acl(Bucket=bucket, ACL='public-read-write')
    anon.put_object(Bucket=bucket, Key='new.txt', Body=b'from nobody')
    assert [o['Key'] for o in anon.list_objects_v2(Bucket=bucket)['Contents']] == ['closed.txt', 'new.txt', 'open.txt']
    assert s3.get_object(Bucket=bucket, Key='new.txt')['Body'].read() == b'from nobody'
