# expect: MI201 MI304
# why: Hand-rolled Graph token from $env:IDENTITY_ENDPOINT with an inline hashtable header, then Connect-MgGraph -AccessToken with it.
$graphResource = 'https://graph.microsoft.com'

$tokenReply = Invoke-RestMethod -Method Get `
    -Uri "$($env:IDENTITY_ENDPOINT)?resource=$graphResource&api-version=2019-08-01" `
    -Headers @{ 'X-IDENTITY-HEADER' = "$env:IDENTITY_HEADER"; 'Metadata' = 'True' }

$secureToken = ConvertTo-SecureString -String $tokenReply.access_token -AsPlainText -Force
Connect-MgGraph -AccessToken $secureToken -NoWelcome

$guests = Get-MgUser -All -Filter "userType eq 'Guest'" -Property Id, Mail, CreatedDateTime, ExternalUserState
$pending = $guests | Where-Object { $_.ExternalUserState -eq 'PendingAcceptance' -and $_.CreatedDateTime -lt (Get-Date).AddDays(-30) }
foreach ($guest in $pending) {
    Write-Output "Removing unredeemed invitation for $($guest.Mail)"
    Remove-MgUser -UserId $guest.Id
}
