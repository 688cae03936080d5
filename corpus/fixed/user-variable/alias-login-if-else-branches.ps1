# expect: MI101 MI102 MI401 MI102
# why: Two certificate logins in if/else branches using the Login-AzAccount and Add-AzAccount aliases; MI401 is reported once, at the first one.
param(
    [ValidateSet('AzureCloud', 'AzureUSGovernment')]
    [string] $Cloud = 'AzureCloud'
)

$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'

Disable-AzContextAutosave -Scope Process | Out-Null
if ($Cloud -eq 'AzureUSGovernment') {
    Write-Output "Using the US Government cloud"
    Connect-AzAccount -Identity -AccountId $IdentityClientId -Environment AzureUSGovernment | Out-Null
}
else {
    Connect-AzAccount -Identity -AccountId $IdentityClientId | Out-Null
}

$expiring = Get-AzADServicePrincipal -First 500 | ForEach-Object {
    $owner = $_
    foreach ($secret in Get-AzADSpCredential -ObjectId $owner.Id) {
        if ($secret.EndDateTime -lt (Get-Date).AddDays(30)) {
            [pscustomobject]@{ App = $owner.DisplayName; KeyId = $secret.KeyId; EndDateTime = $secret.EndDateTime }
        }
    }
}
$expiring | Sort-Object EndDateTime | Format-Table | Out-String | Write-Output
