"""boto3's iam and sts clients against Stratus' IAM / STS query API, and the temporary credentials
they issue through the Python SDKs of every dialect: boto3 (aws_session_token), oss2 (StsAuth,
signatures V1 and V4, header and signed URL) and esdk-obs-python (security_token, both modes).
Expiry is tested in test/identity/sts.test.ts, where the server's session clock can be moved;
here credentials stop working when their role or key goes away.
"""
import json
import uuid

import pytest
import requests

POLICY_ALL_S3 = json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': 's3:*', 'Resource': '*'}]})


def client(service, endpoint, key, secret, token=None):
    import boto3
    from botocore.config import Config
    return boto3.client(service, endpoint_url=endpoint, aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token,
                        region_name='us-east-1', config=Config(retries={'max_attempts': 1, 'mode': 'standard'}, s3={'addressing_style': 'path'},
                                                                 signature_version='s3v4' if service == 's3' else None))


def code_of(excinfo):
    return excinfo.value.response['Error']['Code'], excinfo.value.response['ResponseMetadata']['HTTPStatusCode']


@pytest.fixture
def iam(endpoint, access_key, secret_key):
    return client('iam', endpoint, access_key, secret_key)


@pytest.fixture
def user(iam):
    """A fresh IAM user with one access key; removed afterwards."""
    name = f'py-{uuid.uuid4().hex[:10]}'
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)['AccessKey']
    yield {'name': name, 'key': key['AccessKeyId'], 'secret': key['SecretAccessKey']}
    for k in iam.list_access_keys(UserName=name)['AccessKeyMetadata']:
        iam.delete_access_key(UserName=name, AccessKeyId=k['AccessKeyId'])
    for p in iam.list_user_policies(UserName=name)['PolicyNames']:
        iam.delete_user_policy(UserName=name, PolicyName=p)
    iam.delete_user(UserName=name)


@pytest.fixture
def role(iam, user):
    """A role the user may assume, allowed everything in S3; removed afterwards (if the test did not)."""
    name = f'py-role-{uuid.uuid4().hex[:8]}'
    trust = {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'AWS': f'arn:aws:iam::root:user/{user["name"]}'}, 'Action': 'sts:AssumeRole'}]}
    r = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust), MaxSessionDuration=3600)['Role']
    iam.put_role_policy(RoleName=name, PolicyName='s3', PolicyDocument=POLICY_ALL_S3)
    yield r
    try:
        iam.delete_role_policy(RoleName=name, PolicyName='s3')
        iam.delete_role(RoleName=name)
    except Exception:
        pass


def assume(endpoint, user, role, **kw):
    sts = client('sts', endpoint, user['key'], user['secret'])
    return sts.assume_role(RoleArn=role['Arn'], RoleSessionName='py-session', DurationSeconds=900, **kw)['Credentials']


def test_global_region_and_root_view(endpoint, access_key, secret_key):
    # ceph/s3-tests makes its IAM clients with region_name='' (an empty region in the SigV4 scope).
    import boto3
    bare = boto3.client('iam', endpoint_url=endpoint, region_name='', aws_access_key_id=access_key, aws_secret_access_key=secret_key)
    assert bare.get_user()['User']['Arn'].endswith(':root')


def test_users_keys_and_policies(iam, user, endpoint, s3, bucket):
    assert iam.get_user(UserName=user['name'])['User']['Arn'] == f'arn:aws:iam::root:user/{user["name"]}'
    assert [k['Status'] for k in iam.list_access_keys(UserName=user['name'])['AccessKeyMetadata']] == ['Active']
    doc = {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': 's3:GetObject', 'Resource': f'arn:aws:s3:::{bucket}/*'}]}
    iam.put_user_policy(UserName=user['name'], PolicyName='read', PolicyDocument=json.dumps(doc))
    # boto3 decodes IAM's URL-encoded documents.
    assert iam.get_user_policy(UserName=user['name'], PolicyName='read')['PolicyDocument'] == doc
    with pytest.raises(Exception) as e:
        iam.put_user_policy(UserName=user['name'], PolicyName='bad', PolicyDocument='{"Statement": []}')
    assert code_of(e) == ('MalformedPolicyDocument', 400)
    with pytest.raises(Exception) as e:
        iam.get_user(UserName='no-such-user')
    assert code_of(e) == ('NoSuchEntity', 404)
    with pytest.raises(Exception) as e:
        iam.delete_user(UserName=user['name'])
    assert code_of(e) == ('DeleteConflict', 409)

    s3.put_object(Bucket=bucket, Key='k', Body=b'v')
    as_user = client('s3', endpoint, user['key'], user['secret'])
    assert as_user.get_object(Bucket=bucket, Key='k')['Body'].read() == b'v'
    iam.update_access_key(UserName=user['name'], AccessKeyId=user['key'], Status='Inactive')
    with pytest.raises(Exception) as e:
        as_user.get_object(Bucket=bucket, Key='k')
    assert code_of(e) == ('InvalidAccessKeyId', 403)
    iam.update_access_key(UserName=user['name'], AccessKeyId=user['key'], Status='Active')


def test_caller_identity_and_session_tokens_in_boto3(endpoint, iam, user, s3, bucket):
    sts = client('sts', endpoint, user['key'], user['secret'])
    me = sts.get_caller_identity()
    assert me['Arn'] == f'arn:aws:iam::root:user/{user["name"]}' and me['Account'] == 'root'
    c = sts.get_session_token(DurationSeconds=900)['Credentials']
    assert c['AccessKeyId'].startswith('ASIA')
    s3.put_object(Bucket=bucket, Key='k', Body=b'session')
    temp = client('s3', endpoint, c['AccessKeyId'], c['SecretAccessKey'], c['SessionToken'])
    # The session acts as the user: it may do what the user's policies allow, at the time of use.
    with pytest.raises(Exception) as e:
        temp.get_object(Bucket=bucket, Key='k')
    assert code_of(e) == ('AccessDenied', 403)
    doc = {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': 's3:GetObject', 'Resource': f'arn:aws:s3:::{bucket}/*'}]}
    iam.put_user_policy(UserName=user['name'], PolicyName='read', PolicyDocument=json.dumps(doc))
    assert temp.get_object(Bucket=bucket, Key='k')['Body'].read() == b'session'
    url = temp.generate_presigned_url('get_object', Params={'Bucket': bucket, 'Key': 'k'}, ExpiresIn=60)
    assert 'X-Amz-Security-Token' in url
    assert requests.get(url, timeout=30).content == b'session'
    wrong = client('s3', endpoint, c['AccessKeyId'], c['SecretAccessKey'], c['SessionToken'] + 'x')
    with pytest.raises(Exception) as e:
        wrong.get_object(Bucket=bucket, Key='k')
    assert code_of(e) == ('InvalidToken', 400)


def test_assume_role_in_boto3_oss2_and_obs(endpoint, port, user, role, s3, bucket, localhost_subdomains):
    import oss2
    from obs import ObsClient
    c = assume(endpoint, user, role)
    s3.put_object(Bucket=bucket, Key='doc.txt', Body=b'hello')

    temp = client('s3', endpoint, c['AccessKeyId'], c['SecretAccessKey'], c['SessionToken'])
    assert temp.get_object(Bucket=bucket, Key='doc.txt')['Body'].read() == b'hello'
    who = client('sts', endpoint, c['AccessKeyId'], c['SecretAccessKey'], c['SessionToken']).get_caller_identity()
    assert who['Arn'] == f'arn:aws:sts::root:assumed-role/{role["RoleName"]}/py-session'

    for auth_version in (oss2.AUTH_VERSION_1, oss2.AUTH_VERSION_4):
        auth = oss2.StsAuth(c['AccessKeyId'], c['SecretAccessKey'], c['SessionToken'], auth_version=auth_version)
        ob = oss2.Bucket(auth, endpoint, bucket, region='cn-hangzhou' if auth_version == oss2.AUTH_VERSION_4 else None)
        assert ob.get_object('doc.txt').read() == b'hello'
        ob.put_object(f'oss-{auth_version}.txt', b'from oss2')
        url = ob.sign_url('GET', 'doc.txt', 60)
        assert 'security-token' in url
        assert requests.get(url, timeout=30).content == b'hello'
        bad = oss2.Bucket(oss2.StsAuth(c['AccessKeyId'], c['SecretAccessKey'], 'not-the-token', auth_version=auth_version), endpoint, bucket,
                          region='cn-hangzhou' if auth_version == oss2.AUTH_VERSION_4 else None)
        with pytest.raises(oss2.exceptions.OssError) as e:
            bad.get_object('doc.txt')
        assert (e.value.status, e.value.code) == (403, 'InvalidSecurityToken')

    for mode, server, path_style in (('v2', f'http://127.0.0.1:{port}', True), ('obs', f'http://localhost:{port}', False)):
        obs = ObsClient(access_key_id=c['AccessKeyId'], secret_access_key=c['SecretAccessKey'], security_token=c['SessionToken'], server=server,
                        signature=mode, path_style=path_style, max_retry_count=0)
        r = obs.getObject(bucket, 'doc.txt', loadStreamInMemory=True)
        assert r.status == 200, f'{mode}: {r.status} {r.errorCode} {r.errorMessage}'
        assert r.body.buffer == b'hello'
        obs.close()


def test_assumed_role_credentials_end_with_the_role(endpoint, user, role, iam, s3, bucket):
    import oss2
    from obs import ObsClient
    c = assume(endpoint, user, role)
    temp = client('s3', endpoint, c['AccessKeyId'], c['SecretAccessKey'], c['SessionToken'])
    temp.list_objects_v2(Bucket=bucket)
    iam.delete_role_policy(RoleName=role['RoleName'], PolicyName='s3')
    iam.delete_role(RoleName=role['RoleName'])
    with pytest.raises(Exception) as e:
        temp.list_objects_v2(Bucket=bucket)
    assert code_of(e) == ('InvalidToken', 400)
    ob = oss2.Bucket(oss2.StsAuth(c['AccessKeyId'], c['SecretAccessKey'], c['SessionToken']), endpoint, bucket)
    with pytest.raises(oss2.exceptions.OssError) as e:
        ob.get_object('anything')
    assert (e.value.status, e.value.code) == (403, 'InvalidSecurityToken')
    port = endpoint.rsplit(':', 1)[1]
    obs = ObsClient(access_key_id=c['AccessKeyId'], secret_access_key=c['SecretAccessKey'], security_token=c['SessionToken'],
                    server=f'http://127.0.0.1:{port}', signature='v2', path_style=True, max_retry_count=0)
    r = obs.getObject(bucket, 'anything')
    assert (r.status, r.errorCode) == (403, 'InvalidSecurity')
    obs.close()


def test_assume_role_refusals(endpoint, iam, user, role):
    sts = client('sts', endpoint, user['key'], user['secret'])
    with pytest.raises(Exception) as e:
        sts.assume_role(RoleArn=role['Arn'], RoleSessionName='ss', DurationSeconds=7200)
    assert code_of(e)[0] == 'ValidationError'
    other = iam.create_user(UserName=f'py-other-{uuid.uuid4().hex[:8]}')['User']['UserName']
    try:
        k = iam.create_access_key(UserName=other)['AccessKey']
        with pytest.raises(Exception) as e:
            client('sts', endpoint, k['AccessKeyId'], k['SecretAccessKey']).assume_role(RoleArn=role['Arn'], RoleSessionName='s1')
        assert code_of(e) == ('AccessDenied', 403)
        iam.delete_access_key(UserName=other, AccessKeyId=k['AccessKeyId'])
    finally:
        iam.delete_user(UserName=other)
