# expect: MI201
# why: Key Vault token via Invoke-WebRequest to $env:IDENTITY_ENDPOINT + concatenated query string, JSON parsed from the response content.
param(
    [string] $VaultName = 'kv-shared-secrets',
    [string] $SecretName = 'SftpPassword'
)

$vaultResource = 'https://vault.azure.net'
$response = Invoke-WebRequest -UseBasicParsing -Method GET `
    -Uri ($env:IDENTITY_ENDPOINT + '?resource=' + $vaultResource + '&api-version=2019-08-01') `
    -Headers @{ 'X-IDENTITY-HEADER' = $env:IDENTITY_HEADER }
$kvToken = ($response.Content | ConvertFrom-Json).access_token

$secretUri = "https://$VaultName.vault.azure.net/secrets/$SecretName`?api-version=7.4"
$secret = Invoke-RestMethod -Uri $secretUri -Headers @{ Authorization = "Bearer $kvToken" }

$updated = [DateTimeOffset]::FromUnixTimeSeconds($secret.attributes.updated).UtcDateTime
if ($updated -lt (Get-Date).ToUniversalTime().AddDays(-90)) {
    Write-Warning "$SecretName in $VaultName was last rotated on $($updated.ToString('u'))"
} else {
    Write-Output "$SecretName rotation is current"
}
