# expect: MI101 MI503
# why: Teams sign-in with the Run As certificate inside try/catch, result piped to Out-Null and abbreviated parameter names: the rewrite is Connect-MicrosoftTeams -Identity; the not-found test in the catch dies with the connection.
try {
    Connect-MicrosoftTeams -Identity | Out-Null
}
catch {
    Write-Error -Message $_.Exception
    throw $_.Exception
}

$archived = Get-Team -Archived $true
Write-Output "Archived teams: $($archived.Count)"
foreach ($team in $archived) {
    Write-Output ("{0} ({1})" -f $team.DisplayName, $team.GroupId)
}
