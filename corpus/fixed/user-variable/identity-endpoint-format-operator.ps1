# expect: MI201 MI304
# why: Token URI built with the -f operator from $env:IDENTITY_ENDPOINT and two constants, fetched with Invoke-WebRequest and read as ($r.Content | ConvertFrom-Json).access_token before a SecureString conversion.
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
$ErrorActionPreference = 'Stop'

Connect-MgGraph -Identity -ClientId $IdentityClientId

$soon = (Get-Date).AddDays(30)
foreach ($app in Get-MgApplication -All -Property DisplayName, AppId, PasswordCredentials) {
    foreach ($secret in $app.PasswordCredentials | Where-Object { $_.EndDateTime -lt $soon }) {
        Write-Warning ("Secret '{0}' of {1} ({2}) expires on {3:d}" -f $secret.DisplayName, $app.DisplayName, $app.AppId, $secret.EndDateTime)
    }
}
