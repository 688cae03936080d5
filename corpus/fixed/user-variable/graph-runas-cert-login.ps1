# expect: MI101 MI303 MI301
# why: Connect-MgGraph with the Run As connection's application id, tenant and certificate thumbprint, then a beta profile switch; no Azure sign-in so no MI401.
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'

Connect-MgGraph -Identity -ClientId $IdentityClientId

$groups = Get-MgBetaGroup -All -Filter "groupTypes/any(c:c eq 'Unified')"
$ownerless = foreach ($group in $groups) {
    $owners = Get-MgBetaGroupOwner -GroupId $group.Id
    if (-not $owners) { $group }
}

foreach ($group in $ownerless) {
    Write-Output "Microsoft 365 group without owner: $($group.DisplayName) <$($group.Mail)>"
}
Write-Output "$(@($ownerless).Count) ownerless group(s)"
