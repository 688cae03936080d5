# expect: MI101 MI104 MI104 MI104 MI104 MI104 MI106
# why: A client assertion (JWT) signed by hand with the Run As certificate (taken from the store by the connection's thumbprint, signed with GetRSAPrivateKey + SignData) and posted as client_assertion to login.microsoftonline.com: one MI106 at the token request.
$connection = Get-AutomationConnection -Name AzureRunAsConnection
$certificate = Get-ChildItem -Path Cert:\CurrentUser\My | Where-Object { $_.Thumbprint -eq $connection.CertificateThumbprint }

function ConvertTo-Base64Url ([byte[]] $Bytes) {
    return [Convert]::ToBase64String($Bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_')
}

$tokenEndpoint = "https://login.microsoftonline.com/$($connection.TenantId)/oauth2/v2.0/token"
$now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
$jwtHeader = @{ alg = 'RS256'; typ = 'JWT'; x5t = ConvertTo-Base64Url $certificate.GetCertHash() } | ConvertTo-Json -Compress
$jwtClaims = @{
    aud = $tokenEndpoint
    iss = $connection.ApplicationId
    sub = $connection.ApplicationId
    jti = [guid]::NewGuid().ToString()
    nbf = $now
    exp = $now + 600
} | ConvertTo-Json -Compress
$unsigned = (ConvertTo-Base64Url ([Text.Encoding]::UTF8.GetBytes($jwtHeader))) + '.' + (ConvertTo-Base64Url ([Text.Encoding]::UTF8.GetBytes($jwtClaims)))

$rsa = [System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($certificate)
$signature = $rsa.SignData([Text.Encoding]::UTF8.GetBytes($unsigned), [Security.Cryptography.HashAlgorithmName]::SHA256, [Security.Cryptography.RSASignaturePadding]::Pkcs1)
$assertion = $unsigned + '.' + (ConvertTo-Base64Url $signature)

$tokenRequest = @{
    client_id             = $connection.ApplicationId
    scope                 = 'https://graph.microsoft.com/.default'
    client_assertion_type = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
    client_assertion      = $assertion
    grant_type            = 'client_credentials'
}
$graphToken = (Invoke-RestMethod -Method Post -Uri $tokenEndpoint -Body $tokenRequest -ContentType 'application/x-www-form-urlencoded').access_token

$groups = Invoke-RestMethod -Uri 'https://graph.microsoft.com/v1.0/groups?$top=10' -Headers @{ Authorization = "Bearer $graphToken" }
$groups.value | Select-Object displayName, mail
