# expect: MI205 MI601 MI205
# why: Tokens read out of the Az context's TokenCache (Get-AzureRmContext, then ReadItems() filtered by resource, and (Get-AzContext).TokenCache inline in a function): reported without a fix; the message names Get-AzAccessToken -ResourceUrl.
param([string] $VaultName = 'kv-ops')

Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity | Out-Null

function Get-CachedToken ([string] $Resource) {
    $item = (Get-AzContext).TokenCache.ReadItems() |
        Where-Object { $_.Resource -eq $Resource } |
        Sort-Object ExpiresOn -Descending |
        Select-Object -First 1
    return $item.AccessToken
}

$legacy = Get-AzContext
$cached = $legacy.TokenCache.ReadItems() | Where-Object { $_.Resource -like '*vault*' }
Write-Verbose "Tokens in cache: $($cached.Count)"

$vaultToken = Get-CachedToken -Resource 'https://vault.azure.net'
$secret = Invoke-RestMethod -Uri "https://$VaultName.vault.azure.net/secrets/report-key?api-version=7.4" -Headers @{ Authorization = "Bearer $vaultToken" }
Write-Output "Secret version: $($secret.id.Split('/')[-1])"
