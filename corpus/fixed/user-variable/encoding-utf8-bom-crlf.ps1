# expect: MI101 MI102 MI401
# why: UTF-8 with BOM and CRLF line endings (the Windows PowerShell ISE default), with a backtick-continued Run As login.
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'

Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity -AccountId $IdentityClientId | Out-Null

# Résumé of Front Door endpoints — one line per profile
$profiles = Get-AzFrontDoorCdnProfile
foreach ($profile in $profiles) {
    $endpoints = Get-AzFrontDoorCdnEndpoint -ProfileName $profile.Name -ResourceGroupName $profile.ResourceGroupName
    Write-Output "$($profile.Name) → $(@($endpoints).Count) endpoint(s)"
}
