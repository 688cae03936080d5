# expect: MI201 MI304
# why: Endpoint copied into a variable, both URI parts expanded with $(...), the response decoded from RawContentStream bytes and piped to ConvertFrom-Json, the token then passed to Connect-MgGraph.
<#
    Weekly report of licensed accounts that have not signed in for a while.
#>
param(
    [int] $InactiveDays = 60
)

Connect-MgGraph -Identity -NoWelcome

$cutoff = (Get-Date).AddDays(-$InactiveDays)
$users = Get-MgUser -All -Filter 'assignedLicenses/$count ne 0' -ConsistencyLevel eventual -CountVariable licensedCount `
    -Property Id, UserPrincipalName, SignInActivity
$idle = $users | Where-Object {
    $_.SignInActivity.LastSignInDateTime -and $_.SignInActivity.LastSignInDateTime -lt $cutoff
}
foreach ($user in $idle) {
    Write-Output ("{0} last signed in {1:yyyy-MM-dd}" -f $user.UserPrincipalName, $user.SignInActivity.LastSignInDateTime)
}
Write-Output "$(@($idle).Count) of $licensedCount licensed account(s) idle for more than $InactiveDays days"
