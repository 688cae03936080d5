# expect: MI302 MI301 MI301
# why: Get-MgProfile tested in a condition, Select-MgProfile v1.0 in the branch, and a positional Select-MgProfile beta inside a function.
Connect-MgGraph -Identity -NoWelcome

$activeProfile = Get-MgProfile
if ($activeProfile.Name -ne 'v1.0') {
    Select-MgProfile -Name 'v1.0'
}

$licensed = Get-MgUser -All -Filter 'assignedLicenses/$count ne 0' -ConsistencyLevel eventual -CountVariable licensedCount
Write-Output "Licensed users: $licensedCount"

function Get-SignInRisk {
    param([string] $UserId)
    Select-MgProfile beta
    Get-MgRiskyUser -Filter "id eq '$UserId'"
}

foreach ($user in $licensed | Select-Object -First 25) {
    $risk = Get-SignInRisk -UserId $user.Id
    if ($risk -and $risk.RiskLevel -ne 'none') {
        Write-Warning "$($user.UserPrincipalName) risk level: $($risk.RiskLevel)"
    }
}
