# expect: MI201 MI304 MI301
# why: Graph SDK v1-era runbook: IDENTITY_ENDPOINT token whose URI is concatenated into a variable first, Connect-MgGraph -AccessToken, then Select-MgProfile -Name "v1.0".
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
Import-Module Microsoft.Graph.Authentication
Import-Module Microsoft.Graph.Groups

Connect-MgGraph -Identity -ClientId $IdentityClientId

$teamsGroups = Get-MgGroup -All -Filter "resourceProvisioningOptions/Any(x:x eq 'Team')"
foreach ($group in $teamsGroups) {
    $count = (Get-MgGroupMember -GroupId $group.Id -All | Measure-Object).Count
    if ($count -lt 2) {
        Write-Output "Team '$($group.DisplayName)' has $count member(s)"
    }
}
