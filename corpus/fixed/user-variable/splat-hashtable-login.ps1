# expect: MI101 MI102
# why: Certificate login passed by splatting a same-file hashtable literal (bareword keys); the connection reads inside the hashtable feed the sign-in.
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
$null = Disable-AzContextAutosave -Scope Process

Connect-AzAccount -Identity -AccountId $IdentityClientId -ErrorAction 'Stop' | Out-Null

$groups = Get-AzResourceGroup | Where-Object { -not $_.Tags -or -not $_.Tags.ContainsKey('CostCenter') }
foreach ($group in $groups) {
    Write-Warning "Resource group '$($group.ResourceGroupName)' has no CostCenter tag"
}
Write-Output "$(@($groups).Count) untagged resource group(s)"
