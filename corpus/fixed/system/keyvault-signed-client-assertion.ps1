# expect: none
# why: A client assertion signed with a Key Vault certificate of another app (not the Run As one), after a managed-identity sign-in: not an MI106 finding, since the retired Run As account plays no part.
param(
    [string] $VaultName = 'kv-integrations',
    [string] $PartnerAppId = '6a1c3f0e-2b7d-4e59-9c84-0f3d2a7b5e61',
    [string] $PartnerTenant = 'fabrikam.onmicrosoft.com'
)

Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity | Out-Null

$secret = Get-AzKeyVaultSecret -VaultName $VaultName -Name 'partner-app-cert' -AsPlainText
$certificate = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new([Convert]::FromBase64String($secret), '', 'Exportable')

$endpoint = "https://login.microsoftonline.com/$PartnerTenant/oauth2/v2.0/token"
$now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
$header = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes((@{ alg = 'RS256'; typ = 'JWT'; x5t = [Convert]::ToBase64String($certificate.GetCertHash()) } | ConvertTo-Json -Compress)))
$claims = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes((@{ aud = $endpoint; iss = $PartnerAppId; sub = $PartnerAppId; jti = (New-Guid).Guid; nbf = $now; exp = $now + 300 } | ConvertTo-Json -Compress)))
$key = [System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($certificate)
$signed = $key.SignData([Text.Encoding]::UTF8.GetBytes("$header.$claims"), [Security.Cryptography.HashAlgorithmName]::SHA256, [Security.Cryptography.RSASignaturePadding]::Pkcs1)
$assertion = "$header.$claims." + [Convert]::ToBase64String($signed)

$body = "client_id=$PartnerAppId&scope=api%3A%2F%2Fpartner-orders%2F.default&grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=$assertion"
$partnerToken = (Invoke-RestMethod -Method Post -Uri $endpoint -Body $body).access_token
Invoke-RestMethod -Uri 'https://orders.fabrikam.com/api/pending' -Headers @{ Authorization = "Bearer $partnerToken" }
