# expect: MI202 MI304
# why: Older hybrid-worker form: token from $env:MSI_ENDPOINT with the Secret header from $env:MSI_SECRET, used for Connect-MgGraph -AccessToken.
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
$ErrorActionPreference = 'Stop'

Connect-MgGraph -Identity -ClientId $IdentityClientId

$domains = Get-MgDomain
foreach ($domain in $domains) {
    $state = if ($domain.IsVerified) { 'verified' } else { 'UNVERIFIED' }
    Write-Output ("{0,-40} {1}" -f $domain.Id, $state)
}

$unverified = @($domains | Where-Object { -not $_.IsVerified })
if ($unverified.Count -gt 0) {
    Write-Warning "$($unverified.Count) domain(s) still need DNS verification"
}
