# expect: MI201 MI304
# why: Hand-rolled Graph token from $env:IDENTITY_ENDPOINT with an inline hashtable header, then Connect-MgGraph -AccessToken with it.
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'

Connect-MgGraph -Identity -ClientId $IdentityClientId -NoWelcome

$guests = Get-MgUser -All -Filter "userType eq 'Guest'" -Property Id, Mail, CreatedDateTime, ExternalUserState
$pending = $guests | Where-Object { $_.ExternalUserState -eq 'PendingAcceptance' -and $_.CreatedDateTime -lt (Get-Date).AddDays(-30) }
foreach ($guest in $pending) {
    Write-Output "Removing unredeemed invitation for $($guest.Mail)"
    Remove-MgUser -UserId $guest.Id
}
