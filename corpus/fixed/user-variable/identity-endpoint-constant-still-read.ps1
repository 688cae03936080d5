# expect: MI201 MI304
# why: The Graph base URL is both the token's resource and the prefix of later Invoke-MgGraphRequest calls, and the header table is filled by element assignment: the fix deletes the request and the headers but keeps the constant that is still read.
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
$graphBase = 'https://graph.microsoft.com'
Connect-MgGraph -Identity -ClientId $IdentityClientId

$sites = Invoke-MgGraphRequest -Method GET -Uri "$graphBase/v1.0/sites?search=*&`$top=50"
foreach ($site in $sites.value) {
    $drive = Invoke-MgGraphRequest -Method GET -Uri "$graphBase/v1.0/sites/$($site.id)/drive"
    $usedGb = [math]::Round($drive.quota.used / 1GB, 1)
    Write-Output ("{0,-50} {1,8} GB" -f $site.webUrl, $usedGb)
}
